#!/bin/sh
# azd postdeploy hook (azure.yaml): gives each trading function of the app a named function key of its own,
# AZURE_TRADING_KEY_NAME (default "trading"). Function keys can only be made once the functions exist, that is
# after the code is deployed, so this cannot be part of the Bicep template. A key that already exists is kept
# (never rotated by a redeploy); no key value is ever printed. Read one with
#   az functionapp function keys list --resource-group "$RG" --name "$APP" --function-name ScalpingKill
# docs/deploy.md, "Named keys for the trading functions". Windows twin: postdeploy.ps1.
set -eu

# The HTTP functions marked [TradingAction] in src/NeuraTrade.Functions (a test keeps this list in step).
TRADING_FUNCTIONS="AiDecision ScalpingToggle ScalpingClosePosition ScalpingKill ArbitrageToggle"

: "${AZURE_RESOURCE_GROUP:?is not set: run azd provision first (the hook reads it from the azd environment)}"
: "${AZURE_FUNCTION_APP_NAME:?is not set: run azd provision first (the hook reads it from the azd environment)}"
key_name="${AZURE_TRADING_KEY_NAME:-trading}"
attempts="${AZURE_POSTDEPLOY_ATTEMPTS:-12}"

if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is not installed: the trading functions keep only the host's default key. Install az and run 'azd hooks run postdeploy'." >&2
  exit 1
fi

for function in $TRADING_FUNCTIONS; do
  # The platform lists a freshly deployed function after it has synced its triggers: wait for it a little.
  try=1
  until az functionapp function show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
      --function-name "$function" --query name --output tsv >/dev/null 2>&1; do
    if [ "$try" -ge "$attempts" ]; then
      echo "Function $function is not on $AZURE_FUNCTION_APP_NAME after $attempts attempts: was it deployed?" >&2
      exit 1
    fi
    try=$((try + 1))
    sleep 10
  done

  has_key=$(az functionapp function keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --function-name "$function" --query "contains(keys(@), '$key_name')" --output tsv)
  if [ "$has_key" = "true" ]; then
    echo "$function: key '$key_name' kept"
    continue
  fi

  # No key value is passed: the platform generates one; the output (which holds it) is discarded.
  az functionapp function keys set --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --function-name "$function" --key-name "$key_name" --output none
  echo "$function: key '$key_name' created"
done
