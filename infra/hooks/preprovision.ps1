# azd preprovision hook (azure.yaml) on Windows: gives this azd environment a Key Vault name suffix, once.
# Same as preprovision.sh: infra/main.bicep derives the vault's name from AZURE_KEY_VAULT_NAME_SUFFIX, so
# every `azd provision`/`azd up` of the environment finds the same vault; postdown.ps1 clears it after `azd down`.
$ErrorActionPreference = 'Stop'

if ($env:AZURE_KEY_VAULT_NAME_SUFFIX) {
    Write-Host "Key Vault name suffix: $($env:AZURE_KEY_VAULT_NAME_SUFFIX) (kept)"
    exit 0
}

# 8 hex digits from a random GUID.
$suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)

# The environment azd is running for (azd passes AZURE_ENV_NAME to hooks), not whichever one is the default.
if ($env:AZURE_ENV_NAME) {
    azd env set AZURE_KEY_VAULT_NAME_SUFFIX $suffix --environment $env:AZURE_ENV_NAME
} else {
    azd env set AZURE_KEY_VAULT_NAME_SUFFIX $suffix
}
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "Key Vault name suffix: $suffix (new)"
