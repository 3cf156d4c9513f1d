// The function app on a Flex Consumption (FC1) plan: Linux, .NET 10 isolated worker, HTTPS only,
// TLS 1.2+, running as the user-assigned identity for host storage, deployment, tables, Key Vault
// references and telemetry. No storage key or connection string is ever set.

import { AppSettings, Tags } from '../types.bicep'
import { ipSecurityRestrictions } from '../functions.bicep'

@description('Name of the function app (also the host name prefix).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the resources; the app also gets azd-service-name.')
param tags Tags

@description('azd service name in azure.yaml this app hosts.')
param serviceName string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account for the Functions host (AzureWebJobsStorage).')
param storageAccountName string

@description('Blob container URL that holds the deployment package.')
param deploymentContainerUrl string

@description('Table service endpoint the app stores its data in.')
param tableServiceUri string

@description('Application Insights connection string (not a secret: local auth is off).')
param applicationInsightsConnectionString string

@description('The app\'s own settings (README Settings table) and Key Vault references.')
param appSettings AppSettings

@description('Most instances the app scales out to (Flex Consumption accepts 1-1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Log Analytics workspace (resource id) that receives the app\'s FunctionAppLogs.')
param logAnalyticsWorkspaceId string

@description('Address ranges (CIDR) allowed to call the app; empty: no restriction. Otherwise everything else is denied.')
param allowedIpRanges string[]

@description('key: function keys only. entra: App Service authentication (authsettingsV2) on, the app checks Entra ID tokens for trading actions and believes the platform\'s sign-in header.')
@allowed([
  'key'
  'entra'
])
param authMode string

@description('Application (client) id of the app registration (entra).')
param authClientId string

@description('Directory (tenant) id whose tokens are accepted.')
param authTenantId string

@description('One more accepted token audience; empty: none.')
param authAudience string

@description('Subnet (resource id) the app integrates into in the private-network variant; empty: none.')
param virtualNetworkSubnetId string

// Host and platform settings, all identity-based. AzureWebJobsStorage itself is never set: the host
// reads __accountName/__credential/__clientId instead of a connection string.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  Storage__TableServiceUri: tableServiceUri
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The app's token check (Auth__*) uses this cloud's login host and the tenant deployed to; it believes the
  // X-MS-CLIENT-PRINCIPAL header only when the platform's authentication, which strips it from client requests, is on.
  Auth__Instance: environment().authentication.loginEndpoint
  Auth__TenantId: authTenantId
  Auth__TrustPlatformPrincipal: authMode == 'entra' ? 'true' : 'false'
}

var entraAudiences = filter([authClientId, empty(authClientId) ? '' : 'api://${authClientId}', authAudience], audience => !empty(audience))

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    // Flex Consumption sends all of an integrated app's outbound traffic into the network (private endpoints, NAT).
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      ipSecurityRestrictions: ipSecurityRestrictions(allowedIpRanges)
      appSettings: map(items(union(appSettings, hostSettings)), setting => {
        name: setting.key
        value: setting.value
      })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// The Functions host's and the app's logs (FunctionAppLogs) go to Log Analytics, besides Application Insights.
resource appLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

// App Service authentication (Easy Auth) under Auth__Mode=entra: the platform validates Entra ID tokens and sign-in
// sessions (/.auth/login/aad) and passes the caller on in X-MS-CLIENT-PRINCIPAL, removing any such header a client sent.
// Anonymous requests still reach the app: read-only functions stay on function keys, and the app itself refuses a
// trading action without a token or session holding the trading role (401/403).
resource authSettings 'Microsoft.Web/sites/config@2024-11-01' = if (authMode == 'entra') {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: entraAudiences
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

// Publishing goes through Entra ID (azd deploy); basic-auth FTP and SCM credentials are switched off.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
