#!/bin/sh
# azd preprovision hook (azure.yaml): gives this azd environment a Key Vault name suffix, once.
# infra/main.bicep derives the vault's name from AZURE_KEY_VAULT_NAME_SUFFIX (parameter keyVaultNameSuffix),
# so every `azd provision`/`azd up` of the environment finds the same vault. The postdown hook clears it:
# `azd down` leaves the vault soft-deleted and, with purge protection, its name taken for 90 days, so the
# environment's next vault needs a new one. Windows twin: preprovision.ps1.
set -eu

if [ -n "${AZURE_KEY_VAULT_NAME_SUFFIX:-}" ]; then
  echo "Key Vault name suffix: ${AZURE_KEY_VAULT_NAME_SUFFIX} (kept)"
  exit 0
fi

# 8 hex digits from the system's random source.
suffix=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
case "$suffix" in
  [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
  *) echo "Could not make a Key Vault name suffix from /dev/urandom (got '$suffix')." >&2; exit 1 ;;
esac

# The environment azd is running for (azd passes AZURE_ENV_NAME to hooks), not whichever one is the default.
if [ -n "${AZURE_ENV_NAME:-}" ]; then
  azd env set AZURE_KEY_VAULT_NAME_SUFFIX "$suffix" --environment "$AZURE_ENV_NAME"
else
  azd env set AZURE_KEY_VAULT_NAME_SUFFIX "$suffix"
fi
echo "Key Vault name suffix: $suffix (new)"
