// The private-network variant (main.bicep networkIsolation = true): a virtual network with a subnet the function app
// integrates into (delegated to Microsoft.App/environments, as Flex Consumption requires) and a subnet for private
// endpoints; a NAT gateway on the app subnet with one static public IP, so every outbound call of the app (the
// exchange API among them) leaves from one fixed address that an exchange key can be allow-listed to; and the private
// DNS zones, linked to the network, that make storage and Key Vault names resolve to their private endpoints.

import { Tags } from '../types.bicep'

@description('Name of the virtual network.')
param name string

@description('Name of the NAT gateway (its public IP is named after it).')
param natGatewayName string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags Tags

@description('Address space of the network, a /16 to /23: the app subnet is its first /24, the private-endpoint subnet the second.')
param addressPrefix string

// Private DNS zones of the services that get private endpoints, on this cloud's suffixes. Key Vault's private zone is
// "privatelink.vaultcore..." on the cloud's vault DNS suffix (".vault.azure.net" in the public cloud).
var dnsZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
}

resource outboundIp 'Microsoft.Network/publicIPAddresses@2024-07-01' = {
  name: 'pip-${natGatewayName}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAddressVersion: 'IPv4'
    publicIPAllocationMethod: 'Static'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-07-01' = {
  name: natGatewayName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: outboundIp.id
      }
    ]
  }
}

resource network 'Microsoft.Network/virtualNetworks@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          natGateway: {
            id: natGateway.id
          }
          // Outbound only through the NAT gateway: no implicit default outbound address.
          defaultOutboundAccess: false
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
          defaultOutboundAccess: false
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in items(dnsZones): {
    name: zone.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in items(dnsZones): {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: network.id
      }
    }
  }
]

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', network.name, 'app')
output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', network.name, 'private-endpoints')
output dnsZoneIds object = toObject(items(dnsZones), zone => zone.key, zone => resourceId('Microsoft.Network/privateDnsZones', zone.value))
output outboundIpAddress string = outboundIp.properties.ipAddress
