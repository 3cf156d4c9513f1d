// Key Vault for the LLM and exchange keys. RBAC authorization (no access policies); the app reads
// secrets through Key Vault references with its user-assigned identity (Key Vault Secrets User).
// A secret is created only when its value is given: no placeholder ever reaches the app.

import { KeyVaultSecretNames, Tags } from '../types.bicep'

@description('Name of the key vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags Tags

@description('Purge protection: a deleted vault cannot be purged until its retention ends. Once on, it cannot be turned off.')
param enablePurgeProtection bool

@description('LLM provider API key (AI__ApiKey). Empty: no secret is created.')
@secure()
param aiApiKey string

@description('Exchange API key (Exchange__Binance__ApiKey). Empty: no secret is created.')
@secure()
param exchangeApiKey string

@description('Exchange API secret (Exchange__Binance__ApiSecret). Empty: no secret is created.')
@secure()
param exchangeApiSecret string

@description('Secret names, keyed by the app setting each one feeds.')
param secretNames KeyVaultSecretNames

@description('Log Analytics workspace (resource id) that receives the vault\'s audit events.')
param logAnalyticsWorkspaceId string

@description('Enabled, or Disabled in the private-network variant (reached only through its private endpoint).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // ARM refuses an explicit false: leave the property out unless it is turned on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

// Every audit event (each secret read, write and access-policy or RBAC denial) goes to Log Analytics.
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource aiApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(aiApiKey)) {
  parent: vault
  name: secretNames.AI__ApiKey
  properties: {
    value: aiApiKey
    contentType: 'text/plain'
  }
}

resource exchangeApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(exchangeApiKey)) {
  parent: vault
  name: secretNames.Exchange__Binance__ApiKey
  properties: {
    value: exchangeApiKey
    contentType: 'text/plain'
  }
}

resource exchangeApiSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(exchangeApiSecret)) {
  parent: vault
  name: secretNames.Exchange__Binance__ApiSecret
  properties: {
    value: exchangeApiSecret
    contentType: 'text/plain'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
