// NeuraTrade in Azure: one resource group with a Flex Consumption function app (.NET 10 isolated),
// its storage (host, deployment package, tables), Application Insights + Log Analytics, a Key Vault
// for API keys, and one user-assigned identity holding least-privilege roles. No account keys anywhere.
// `azd up` deploys it (azure.yaml); docs/deploy.md says how and what to set.
targetScope = 'subscription'

import { KeyVaultSecretNames, Tags } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; it names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region for every resource; it must offer the Flex Consumption plan.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group to create; empty: rg-<environmentName>.')
param resourceGroupName string = ''

// ---- Hosting -------------------------------------------------------------------------------------

@description('Most instances the function app scales out to (Flex Consumption: 1-1000). One timer scan runs on one instance at a time; the rest serve HTTP. docs/deploy.md says when to raise it.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 2

@description('Memory per instance, MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Key Vault purge protection: a deleted vault and its secrets stay recoverable for the whole retention (90 days) and nobody can purge them sooner. Once on, it cannot be turned off for that vault.')
param keyVaultPurgeProtection bool = true

@description('Makes the Key Vault\'s name new for each life of the environment: set once by the preprovision hook (azure.yaml, infra/hooks), so every `azd provision` of the environment finds the same vault, and cleared by the postdown hook, so the `azd up` after an `azd down` does not collide with the soft-deleted vault, whose name purge protection holds for the retention.')
@minLength(1)
@maxLength(64)
param keyVaultNameSuffix string

// ---- Network and data protection -------------------------------------------------------------------

@description('Address ranges (CIDR, e.g. 203.0.113.0/24) allowed to call the function app. Empty: no restriction. Otherwise one Allow rule per range and a final Deny for everyone else (the SCM/deployment site stays open so azd deploy works).')
param allowedIpRanges string[] = []

@description('Private-network variant: the app joins a virtual network and leaves through a NAT gateway with one static public IP (output AZURE_OUTBOUND_IP_ADDRESS, for an exchange key\'s IP allow-list); storage (blob, queue, table) and Key Vault are reached through private endpoints and refuse public network access. docs/deploy.md says what changes.')
param networkIsolation bool = false

@description('Address space of that virtual network (networkIsolation), a /16 to /23: the app subnet is its first /24, the private endpoints the second.')
param virtualNetworkAddressPrefix string = '10.40.0.0/16'

@description('Days a deleted blob or container stays recoverable (storage soft delete).')
@minValue(1)
@maxValue(365)
param storageSoftDeleteRetentionDays int = 7

// ---- Who may trade (README "Settings", Auth__*; docs/deploy.md "Entra ID for trading actions") -------------

@description('Auth__Mode: key (a function key is enough) or entra (trading actions also need an Entra ID token with the trading role, checked by the app; App Service authentication is turned on for browser sign-in).')
@allowed([
  'key'
  'entra'
])
param authMode string = 'key'

@description('Auth__ClientId: application (client) id of the app registration whose tokens are accepted (required with entra).')
param authClientId string = ''

@description('Auth__Audience: one more accepted token audience besides the client id and api://<client id>; empty: none.')
param authAudience string = ''

@description('Auth__TradingRole: the app role a caller needs for a trading action.')
param authTradingRole string = 'Trading.Execute'

@description('Directory (tenant) of the app registration; empty: the tenant deployed to. Becomes Auth__TenantId.')
param authTenantId string = ''

// ---- Storage (README "Storage") --------------------------------------------------------------------

@description('Storage__TablePrefix: prepended to every table name (letters and digits, up to 20).')
@maxLength(20)
param tablePrefix string = ''

@description('Tables the app uses (src/NeuraTrade.Storage/TableNames.cs), before the prefix. The app also creates missing tables itself.')
param tableNames string[] = [
  'decisions'
  'positions'
  'trades'
  'scalpingstate'
  'paperaccount'
  'llmusage'
  'scanclaims'
  'entryslots'
  'outcomes'
  'arbitrage'
]

// ---- App settings (README "Settings"); defaults are the seed's -----------------------------------------

@description('AI__Provider: the brain (this build: rules).')
param aiProvider string = 'rules'

@description('AI__Model: model name for an LLM provider.')
param aiModel string = ''

@description('AI__MinConfidence.')
param aiMinConfidence string = '0.6'

@description('AI__MaxSizePercent.')
param aiMaxSizePercent string = '25'

@description('AI__EntryBandPercent.')
param aiEntryBandPercent string = '0.5'

@description('AI__AllowShort.')
@allowed([
  'true'
  'false'
])
param aiAllowShort string = 'false'

@description('AI__HistoryCandles.')
param aiHistoryCandles string = '60'

@description('AI__Timeframe: the candles the brain reads; empty: the data\'s own (1m on a live feed).')
param aiTimeframe string = ''

@description('AI__Endpoint: base URL (required for azure-openai and openai-compatible).')
param aiEndpoint string = ''

@description('AI__Temperature.')
param aiTemperature string = '0.2'

@description('AI__MaxTokens: output tokens per model round.')
param aiMaxTokens string = '800'

@description('AI__EnableLearning: show the brain its recent outcomes.')
@allowed([
  'true'
  'false'
])
param aiEnableLearning string = 'false'

@description('AI__AdaptiveMinConfidence: raise a symbol\'s minimum confidence when its confident entries lose beyond chance; pause at 0.95.')
@allowed([
  'true'
  'false'
])
param aiAdaptiveMinConfidence string = 'false'

@description('AI__TimeoutSeconds: per model round.')
param aiTimeoutSeconds string = '30'

@description('AI__MaxRetries: retries on 429/5xx/timeouts.')
param aiMaxRetries string = '2'

@description('AI__RetryBaseDelayMs: first backoff.')
param aiRetryBaseDelayMs string = '1000'

@description('AI__MaxToolIterations: model rounds per decision.')
param aiMaxToolIterations string = '4'

@description('AI__TokenBudgetPerDecision.')
param aiTokenBudgetPerDecision string = '12000'

@description('AI__DailyBudgetUsd: LLM spend per UTC day (0 = no limit).')
param aiDailyBudgetUsd string = '5'

@description('AI__MaxConcurrency: symbols asked at once per scan.')
param aiMaxConcurrency string = '4'

@description('AI__ExecutionTools: offer place_order/close_position to the model (never in scans).')
@allowed([
  'true'
  'false'
])
param aiExecutionTools string = 'false'

@description('AI__RiskReview: second LLM call reviews each entry.')
@allowed([
  'true'
  'false'
])
param aiRiskReview string = 'false'

@description('AI__RiskReviewModel: the model of the reviewer (default: AI__Model).')
param aiRiskReviewModel string = ''

@description('Trading__Mode: paper, testnet or live (real orders).')
@allowed([
  'paper'
  'testnet'
  'live'
])
param tradingMode string = 'paper'

@description('Exchange__MarketData: paper data from the bundled replay or the live Binance feed.')
@allowed([
  'replay'
  'binance'
])
param exchangeMarketData string = 'replay'

@description('Exchange__MakerFeePercent: paper maker fee.')
param exchangeMakerFeePercent string = '0.1'

@description('Exchange__BookLevels: levels per side of the modelled paper book.')
param exchangeBookLevels string = '20'

@description('Exchange__BookLevelStepPercent: distance between modelled levels.')
param exchangeBookLevelStepPercent string = '0.01'

@description('Exchange__BookLevelVolumeFraction: base amount per level, fraction of candle volume.')
param exchangeBookLevelVolumeFraction string = '0.01'

@description('Exchange__Binance__BaseUrl: override (default by mode).')
param exchangeBinanceBaseUrl string = ''

@description('Exchange__Binance__RecvWindowMs.')
param exchangeBinanceRecvWindowMs string = '5000'

@description('Exchange__Binance__MaxWeightUsePercent.')
param exchangeBinanceMaxWeightUsePercent string = '90'

@description('Storage__MaxRetries: retries of a failed storage request.')
param storageMaxRetries string = '3'

@description('Storage__RetryDelay: first backoff.')
param storageRetryDelay string = '00:00:00.5'

@description('Storage__NetworkTimeout: per storage request.')
param storageNetworkTimeout string = '00:00:10'

@description('Scalping__StopLossCooldown: no new entry on a symbol this long after its stop-loss.')
param scalpingStopLossCooldown string = '00:05:00'

@description('Scalping__MaxConsecutiveLosses: pause after this many losses in a row (0 = off).')
param scalpingMaxConsecutiveLosses string = '3'

@description('Scalping__LossStreakPause: how long that pause lasts.')
param scalpingLossStreakPause string = '00:30:00'

@description('Scalping__MaxDrawdown: halt entries when equity falls this far below the day peak (quote).')
param scalpingMaxDrawdown string = '150'

@description('Scalping__AllowShort: short entries (spot venues cannot short).')
@allowed([
  'true'
  'false'
])
param scalpingAllowShort string = 'false'

@description('Scalping__TrailingStopPercent: trailing stop distance (0 = off).')
param scalpingTrailingStopPercent string = '0'

@description('Scalping__BreakEvenTriggerPercent: move the stop to entry after this gain (0 = off).')
param scalpingBreakEvenTriggerPercent string = '0'

@description('Scalping__ScanLeaseTime: how long a scan claim holds.')
param scalpingScanLeaseTime string = '00:02:00'

@description('Scalping__ReconcileLookback: how far back reconciliation looks at fills.')
param scalpingReconcileLookback string = '1.00:00:00'

@description('Scalping__ReconcileBarrierPercent: barriers of an adopted position.')
param scalpingReconcileBarrierPercent string = '0.5'

@description('Scalping__MaxDecisionAge: older decisions are never executed.')
param scalpingMaxDecisionAge string = '00:05:00'

@description('Scalping__Screen: the economy screen in front of a paid model (no LLM call when no target could clear its costs).')
param scalpingScreen string = 'true'

@description('Scalping__ScreenReachSigmas: how many sigma (ATR14 x sqrt(hold in candles)) a target may lie away and count as reachable.')
param scalpingScreenReachSigmas string = '1.5'

@description('ScalpingScanSchedule: 6-field NCRONTAB (seconds first). Every 10 s keeps one instance busy around the clock.')
param scalpingScanSchedule string = '*/10 * * * * *'

@description('ArbitrageScanSchedule: the ArbitrageScan timer, 6-field NCRONTAB (seconds first); it only logs while arbitrage is off.')
param arbitrageScanSchedule string = '*/10 * * * * *'

@description('Scalping__FanOut: auto (fan the scan out over the queue above Scalping__FanOutAbove symbols), on or off.')
@allowed([
  'auto'
  'on'
  'off'
])
param scalpingFanOut string = 'auto'

@description('Scalping__FanOutAbove: with FanOut=auto, more symbols than this fan out (one symbol per queue message).')
param scalpingFanOutAbove string = '4'

@description('ScalpingScanQueue: the fan-out queue (created here with its -poison queue); the queue trigger reads it.')
@minLength(3)
@maxLength(56)
param scalpingScanQueue string = 'scalping-scans'

@description('Scalping__Profile: preset for the limits below that are left empty.')
@allowed([
  'default'
  'conservative'
  'aggressive'
])
param scalpingProfile string = 'default'

@description('Scalping__Symbols: comma-separated universe.')
param scalpingSymbols string = 'BTC/USDT,ETH/USDT,SOL/USDT'

@description('Scalping__Enabled: false means no scan enters (disabled by configuration, whatever the runtime toggle says).')
@allowed([
  'true'
  'false'
])
param scalpingEnabled string = 'true'

@description('Scalping__ActiveByDefault.')
@allowed([
  'true'
  'false'
])
param scalpingActiveByDefault string = 'true'

@description('Scalping__MaxPositions. Empty: the profile\'s value (default profile: 3).')
param scalpingMaxPositions string = ''

@description('Scalping__MaxPositionSize, quote currency. Empty: the profile\'s value (default profile: 100).')
param scalpingMaxPositionSize string = ''

@description('Scalping__MaxDailyLoss, quote currency. Empty: the profile\'s value (default profile: 100).')
param scalpingMaxDailyLoss string = ''

@description('Scalping__PositionHoldTime. Empty: the profile\'s value (default profile: 00:02:00).')
param scalpingPositionHoldTime string = ''

@description('Scalping__MinNetEdgePercent: how far a target must beat the round-trip cost (the seed\'s min_spread_percent). Empty: the profile\'s value (default profile: 0.02).')
param scalpingMinNetEdgePercent string = ''

@description('Scalping__FeePercent: taker fee per leg in the round-trip cost model.')
param scalpingFeePercent string = '0.1'

@description('Scalping__ExpectedSlippagePercent: slippage per leg in the round-trip cost model.')
param scalpingExpectedSlippagePercent string = '0.02'

@description('Scalping__MaxSpreadPercent.')
param scalpingMaxSpreadPercent string = '0.25'

@description('Scalping__MinConfidence.')
param scalpingMinConfidence string = '0.6'

@description('Scalping__MinOrderNotional.')
param scalpingMinOrderNotional string = '10'

@description('Scalping__SizingBufferPercent.')
param scalpingSizingBufferPercent string = '0.5'

@description('Exchange__Name: the venue (this build: paper).')
param exchangeName string = 'paper'

@description('Exchange__ReplayDirectory, relative to the app folder.')
param exchangeReplayDirectory string = 'data/replay'

@description('Exchange__ReplaySpeed: market seconds per wall second (6: one minute candle per 10 s scan).')
param exchangeReplaySpeed string = '6'

@description('Exchange__QuoteCurrency.')
param exchangeQuoteCurrency string = 'USDT'

@description('Exchange__StartingBalance.')
param exchangeStartingBalance string = '10000'

@description('Exchange__FeeAsset: where the paper exchange charges a BUY\'s fee: received (the base asset, as Binance spot) or quote.')
@allowed([
  'received'
  'quote'
])
param exchangeFeeAsset string = 'received'

@description('Exchange__TakerFeePercent.')
param exchangeTakerFeePercent string = '0.1'

@description('Exchange__SlippagePercent.')
param exchangeSlippagePercent string = '0.02'

@description('Exchange__RangeSpreadFactor (0: the replay spread is one tick of the market).')
param exchangeRangeSpreadFactor string = '0'

@description('Exchange__MinNotional.')
param exchangeMinNotional string = '5'

// ---- Secrets: stored in Key Vault, reaching the app only as Key Vault references ----------------------

@description('AI__ApiKey (LLM provider). Empty: no secret and no app setting.')
@secure()
param aiApiKey string = ''

@description('Exchange__Binance__ApiKey. Empty: no secret and no app setting.')
@secure()
param exchangeApiKey string = ''

@description('Exchange__Binance__ApiSecret. Empty: no secret and no app setting.')
@secure()
param exchangeApiSecret string = ''

// ---- Names ---------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags Tags = {
  'azd-env-name': environmentName
  app: 'neuratrade'
}
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-neuratrade-${resourceToken}'
  logAnalytics: 'log-neuratrade-${resourceToken}'
  applicationInsights: 'appi-neuratrade-${resourceToken}'
  storage: 'stneuratrade${take(resourceToken, 12)}'
  // A hash, so any suffix gives a valid vault name (19 characters).
  keyVault: 'kv-nt-${uniqueString(subscription().id, environmentName, location, keyVaultNameSuffix)}'
  plan: 'plan-neuratrade-${resourceToken}'
  functionApp: 'func-neuratrade-${resourceToken}'
  deploymentContainer: 'app-package'
  virtualNetwork: 'vnet-neuratrade-${resourceToken}'
  natGateway: 'ng-neuratrade-${resourceToken}'
}

// The private endpoints of the private-network variant: one per storage service the host and the app use, one for
// the vault (Key Vault references).
var privateEndpointTargets = [
  {
    groupId: 'blob'
    name: 'pe-${names.storage}-blob'
  }
  {
    groupId: 'queue'
    name: 'pe-${names.storage}-queue'
  }
  {
    groupId: 'table'
    name: 'pe-${names.storage}-table'
  }
  {
    groupId: 'vault'
    name: 'pe-${names.keyVault}'
  }
]

// The app's settings, named exactly as in README "Settings". An empty value is left out, so the app's
// own default applies (for the profile-governed limits: the Scalping__Profile preset).
var appConfiguration = {
  AI__Provider: aiProvider
  AI__Model: aiModel
  AI__MinConfidence: aiMinConfidence
  AI__MaxSizePercent: aiMaxSizePercent
  AI__EntryBandPercent: aiEntryBandPercent
  AI__AllowShort: aiAllowShort
  AI__HistoryCandles: aiHistoryCandles
  AI__Timeframe: aiTimeframe
  AI__Endpoint: aiEndpoint
  AI__Temperature: aiTemperature
  AI__MaxTokens: aiMaxTokens
  AI__EnableLearning: aiEnableLearning
  AI__AdaptiveMinConfidence: aiAdaptiveMinConfidence
  AI__TimeoutSeconds: aiTimeoutSeconds
  AI__MaxRetries: aiMaxRetries
  AI__RetryBaseDelayMs: aiRetryBaseDelayMs
  AI__MaxToolIterations: aiMaxToolIterations
  AI__TokenBudgetPerDecision: aiTokenBudgetPerDecision
  AI__DailyBudgetUsd: aiDailyBudgetUsd
  AI__MaxConcurrency: aiMaxConcurrency
  AI__ExecutionTools: aiExecutionTools
  AI__RiskReview: aiRiskReview
  AI__RiskReviewModel: aiRiskReviewModel
  Trading__Mode: tradingMode
  Exchange__MarketData: exchangeMarketData
  Exchange__MakerFeePercent: exchangeMakerFeePercent
  Exchange__BookLevels: exchangeBookLevels
  Exchange__BookLevelStepPercent: exchangeBookLevelStepPercent
  Exchange__BookLevelVolumeFraction: exchangeBookLevelVolumeFraction
  Exchange__Binance__BaseUrl: exchangeBinanceBaseUrl
  Exchange__Binance__RecvWindowMs: exchangeBinanceRecvWindowMs
  Exchange__Binance__MaxWeightUsePercent: exchangeBinanceMaxWeightUsePercent
  Storage__MaxRetries: storageMaxRetries
  Storage__RetryDelay: storageRetryDelay
  Storage__NetworkTimeout: storageNetworkTimeout
  Scalping__StopLossCooldown: scalpingStopLossCooldown
  Scalping__MaxConsecutiveLosses: scalpingMaxConsecutiveLosses
  Scalping__LossStreakPause: scalpingLossStreakPause
  Scalping__MaxDrawdown: scalpingMaxDrawdown
  Scalping__AllowShort: scalpingAllowShort
  Scalping__TrailingStopPercent: scalpingTrailingStopPercent
  Scalping__BreakEvenTriggerPercent: scalpingBreakEvenTriggerPercent
  Scalping__ScanLeaseTime: scalpingScanLeaseTime
  Scalping__ReconcileLookback: scalpingReconcileLookback
  Scalping__ReconcileBarrierPercent: scalpingReconcileBarrierPercent
  Scalping__MaxDecisionAge: scalpingMaxDecisionAge
  Scalping__Screen: scalpingScreen
  Scalping__ScreenReachSigmas: scalpingScreenReachSigmas
  ScalpingScanSchedule: scalpingScanSchedule
  ScalpingScanQueue: scalpingScanQueue
  ArbitrageScanSchedule: arbitrageScanSchedule
  Scalping__FanOut: scalpingFanOut
  Scalping__FanOutAbove: scalpingFanOutAbove
  Scalping__Profile: scalpingProfile
  Scalping__Symbols: scalpingSymbols
  Scalping__Enabled: scalpingEnabled
  Scalping__ActiveByDefault: scalpingActiveByDefault
  Scalping__MaxPositions: scalpingMaxPositions
  Scalping__MaxPositionSize: scalpingMaxPositionSize
  Scalping__MaxDailyLoss: scalpingMaxDailyLoss
  Scalping__PositionHoldTime: scalpingPositionHoldTime
  Scalping__MinNetEdgePercent: scalpingMinNetEdgePercent
  Scalping__FeePercent: scalpingFeePercent
  Scalping__ExpectedSlippagePercent: scalpingExpectedSlippagePercent
  Scalping__MaxSpreadPercent: scalpingMaxSpreadPercent
  Scalping__MinConfidence: scalpingMinConfidence
  Scalping__MinOrderNotional: scalpingMinOrderNotional
  Scalping__SizingBufferPercent: scalpingSizingBufferPercent
  Exchange__Name: exchangeName
  Exchange__ReplayDirectory: exchangeReplayDirectory
  Exchange__ReplaySpeed: exchangeReplaySpeed
  Exchange__QuoteCurrency: exchangeQuoteCurrency
  Exchange__StartingBalance: exchangeStartingBalance
  Exchange__FeeAsset: exchangeFeeAsset
  Exchange__TakerFeePercent: exchangeTakerFeePercent
  Exchange__SlippagePercent: exchangeSlippagePercent
  Exchange__RangeSpreadFactor: exchangeRangeSpreadFactor
  Exchange__MinNotional: exchangeMinNotional
  Storage__TablePrefix: tablePrefix
  Auth__Mode: authMode
  Auth__ClientId: authClientId
  Auth__Audience: authAudience
  Auth__TradingRole: authTradingRole
}

// The directory whose tokens the app accepts: the one deployed to unless authTenantId names another.
var authTenant = empty(authTenantId) ? tenant().tenantId : authTenantId

var keyVaultSecretNames KeyVaultSecretNames = {
  AI__ApiKey: 'ai-api-key'
  Exchange__Binance__ApiKey: 'exchange-api-key'
  Exchange__Binance__ApiSecret: 'exchange-api-secret'
}

// A key given at deploy time becomes a Key Vault secret and an app setting that references it; the
// value itself never becomes an app setting. No key: no secret, no setting.
var keyVaultReferences = {
  AI__ApiKey: empty(aiApiKey) ? '' : '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${keyVaultSecretNames.AI__ApiKey})'
  Exchange__Binance__ApiKey: empty(exchangeApiKey) ? '' : '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${keyVaultSecretNames.Exchange__Binance__ApiKey})'
  Exchange__Binance__ApiSecret: empty(exchangeApiSecret) ? '' : '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${keyVaultSecretNames.Exchange__Binance__ApiSecret})'
}

var appSettings = toObject(
  filter(items(union(appConfiguration, keyVaultReferences)), setting => !empty(setting.value)),
  setting => setting.key,
  setting => setting.value
)

// ---- Resources -----------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: names.deploymentContainer
    tableNames: map(tableNames, table => '${tablePrefix}${table}')
    queueNames: [scalpingScanQueue, '${scalpingScanQueue}-poison']
    softDeleteRetentionDays: storageSoftDeleteRetentionDays
    publicNetworkAccess: networkIsolation ? 'Disabled' : 'Enabled'
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    aiApiKey: aiApiKey
    exchangeApiKey: exchangeApiKey
    exchangeApiSecret: exchangeApiSecret
    secretNames: keyVaultSecretNames
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    publicNetworkAccess: networkIsolation ? 'Disabled' : 'Enabled'
  }
}

module network 'modules/network.bicep' = if (networkIsolation) {
  name: 'network'
  scope: rg
  params: {
    name: names.virtualNetwork
    natGatewayName: names.natGateway
    location: location
    tags: tags
    addressPrefix: virtualNetworkAddressPrefix
  }
}

module privateEndpoints 'modules/private-endpoint.bicep' = [
  for target in privateEndpointTargets: if (networkIsolation) {
    name: 'private-endpoint-${target.groupId}'
    scope: rg
    params: {
      name: target.name
      location: location
      tags: tags
      subnetId: network!.outputs.privateEndpointSubnetId
      serviceId: target.groupId == 'vault' ? keyVault.outputs.id : storage.outputs.id
      groupId: target.groupId
      dnsZoneId: network!.outputs.dnsZoneIds[target.groupId]
    }
  }
]

module access 'modules/access.bicep' = {
  name: 'access'
  scope: rg
  params: {
    identityName: names.identity
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [
    identity
    storage
    keyVault
    monitoring
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tableServiceUri: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    appSettings: appSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    allowedIpRanges: allowedIpRanges
    authMode: authMode
    authClientId: authClientId
    authTenantId: authTenant
    authAudience: authAudience
    virtualNetworkSubnetId: networkIsolation ? network!.outputs.appSubnetId : ''
  }
  // Roles granted, secrets written and (private network) endpoints in place before the app first starts, so host
  // storage and Key Vault references resolve on the first start instead of after a restart.
  dependsOn: [
    access
    keyVault
    privateEndpoints
  ]
}

// ---- Outputs (azd stores them in the environment: `azd env get-values`) -----------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
// The app's fixed outbound address in the private-network variant (allow-list it on the exchange key); empty otherwise.
output AZURE_OUTBOUND_IP_ADDRESS string = networkIsolation ? network!.outputs.outboundIpAddress : ''
