// One private endpoint for one sub-resource of a service (a storage account's blob, queue or table, a key vault's
// vault), in the private-endpoint subnet, registered in the matching private DNS zone so the service's usual host name
// resolves to the endpoint's address inside the network.

import { Tags } from '../types.bicep'

@description('Name of the private endpoint.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags Tags

@description('Subnet (resource id) the endpoint takes its address from.')
param subnetId string

@description('Resource id of the service the endpoint connects to.')
param serviceId string

@description('Sub-resource (group id): blob, queue, table or vault.')
@allowed([
  'blob'
  'queue'
  'table'
  'vault'
])
param groupId string

@description('Private DNS zone (resource id) the endpoint registers its address in.')
param dnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: serviceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-07-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: dnsZoneId
        }
      }
    ]
  }
}
