# azd postdeploy hook (azure.yaml) on Windows: gives each trading function of the app a named function key of its
# own, AZURE_TRADING_KEY_NAME (default "trading"). Same as postdeploy.sh: function keys can only be made once the
# functions exist, after the code is deployed; an existing key is kept, and no key value is ever printed.
$ErrorActionPreference = 'Stop'

# The HTTP functions marked [TradingAction] in src/NeuraTrade.Functions (a test keeps this list in step).
$tradingFunctions = @('AiDecision', 'ScalpingToggle', 'ScalpingClosePosition', 'ScalpingKill', 'ArbitrageToggle')

foreach ($name in @('AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME')) {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        Write-Error "$name is not set: run azd provision first (the hook reads it from the azd environment)"
        exit 1
    }
}
$group = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
$keyName = if ($env:AZURE_TRADING_KEY_NAME) { $env:AZURE_TRADING_KEY_NAME } else { 'trading' }
$attempts = if ($env:AZURE_POSTDEPLOY_ATTEMPTS) { [int]$env:AZURE_POSTDEPLOY_ATTEMPTS } else { 12 }

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Write-Error "The Azure CLI (az) is not installed: the trading functions keep only the host's default key. Install az and run 'azd hooks run postdeploy'."
    exit 1
}

foreach ($function in $tradingFunctions) {
    # The platform lists a freshly deployed function after it has synced its triggers: wait for it a little.
    $try = 1
    while ($true) {
        az functionapp function show --resource-group $group --name $app --function-name $function --query name --output tsv *> $null
        if ($LASTEXITCODE -eq 0) { break }
        if ($try -ge $attempts) {
            Write-Error "Function $function is not on $app after $attempts attempts: was it deployed?"
            exit 1
        }
        $try++
        Start-Sleep -Seconds 10
    }

    $hasKey = az functionapp function keys list --resource-group $group --name $app --function-name $function --query "contains(keys(@), '$keyName')" --output tsv
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    if ($hasKey -eq 'true') {
        Write-Host "${function}: key '$keyName' kept"
        continue
    }

    # No key value is passed: the platform generates one; the output (which holds it) is discarded.
    az functionapp function keys set --resource-group $group --name $app --function-name $function --key-name $keyName --output none
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Write-Host "${function}: key '$keyName' created"
}
