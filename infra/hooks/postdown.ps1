# azd postdown hook (azure.yaml) on Windows: after `azd down`, forgets the Key Vault name suffix, so the next
# `azd up` of this environment names a new vault instead of colliding with the soft-deleted one. Same as postdown.sh.
# PowerShell 7.3 or later (azd's pwsh hooks need 7), which passes '' to a program as an empty argument.
$ErrorActionPreference = 'Stop'

if ($env:AZURE_ENV_NAME) {
    azd env set AZURE_KEY_VAULT_NAME_SUFFIX '' --environment $env:AZURE_ENV_NAME
} else {
    azd env set AZURE_KEY_VAULT_NAME_SUFFIX ''
}
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "Key Vault name suffix cleared: the next azd up creates a new vault."
