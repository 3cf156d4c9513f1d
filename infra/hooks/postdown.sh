#!/bin/sh
# azd postdown hook (azure.yaml): after `azd down`, forgets the Key Vault name suffix, so the next
# `azd up` of this environment (its preprovision hook) names a new vault instead of colliding with the
# soft-deleted one, whose name purge protection holds for 90 days. Windows twin: postdown.ps1.
set -eu

if [ -n "${AZURE_ENV_NAME:-}" ]; then
  azd env set AZURE_KEY_VAULT_NAME_SUFFIX "" --environment "$AZURE_ENV_NAME"
else
  azd env set AZURE_KEY_VAULT_NAME_SUFFIX ""
fi
echo "Key Vault name suffix cleared: the next azd up creates a new vault."
