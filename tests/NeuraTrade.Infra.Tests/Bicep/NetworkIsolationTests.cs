using System.Text.Json.Nodes;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// The private-network variant behind networkIsolation, evaluated offline both ways: off (default) creates no network
/// resource and leaves storage and Key Vault public; on creates the VNet (app subnet delegated to Flex Consumption,
/// behind a NAT gateway with a static IP; a private-endpoint subnet), private endpoints and DNS zones for blob, queue,
/// table and vault, turns public network access off on storage and Key Vault, integrates the app and outputs the
/// fixed outbound address.
/// </summary>
public sealed class NetworkIsolationTests
{
    private const string Subscription = $"/subscriptions/{DeploymentSnapshot.SubscriptionId}/resourceGroups/rg-snap/providers";

    private static Task<DeploymentSnapshot> On() => DeploymentSnapshot.OfAsync(("networkIsolation", "true"));

    [Fact]
    public async Task Off_by_default_no_network_resource_and_public_storage_and_vault()
    {
        var template = await MainAsync();
        var snapshot = await DeploymentSnapshot.OfAsync();

        Assert.False((bool)template.Parameters["networkIsolation"]!["defaultValue"]!);
        Assert.DoesNotContain(snapshot.Resources, r => Text(r["type"]).StartsWith("Microsoft.Network/", StringComparison.OrdinalIgnoreCase));
        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" })
        {
            var properties = snapshot.Single(type)["properties"]!;
            Assert.Equal("Enabled", Text(properties["publicNetworkAccess"]));
            Assert.Equal("Allow", Text(properties["networkAcls"]!["defaultAction"]));
        }

        Assert.Null(snapshot.Single("Microsoft.Web/sites")["properties"]!["virtualNetworkSubnetId"]);
        Assert.Equal(string.Empty, Text(snapshot.Outputs["AZURE_OUTBOUND_IP_ADDRESS"]));
    }

    [Fact]
    public async Task On_the_app_joins_a_delegated_subnet_that_leaves_through_a_nat_gateway_with_a_static_ip()
    {
        var snapshot = await On();

        var network = snapshot.Single("Microsoft.Network/virtualNetworks");
        Assert.Equal(["10.40.0.0/16"], network["properties"]!["addressSpace"]!["addressPrefixes"]!.AsArray().Select(Text));
        var subnets = network["properties"]!["subnets"]!.AsArray().ToDictionary(s => Text(s!["name"]), s => s!["properties"]!);
        Assert.Equal(["app", "private-endpoints"], subnets.Keys.Order());
        Assert.Equal("10.40.0.0/24", Text(subnets["app"]["addressPrefix"]));
        Assert.Equal("10.40.1.0/24", Text(subnets["private-endpoints"]["addressPrefix"]));
        Assert.Equal("Microsoft.App/environments", Text(Assert.Single(subnets["app"]["delegations"]!.AsArray())!["properties"]!["serviceName"]));
        Assert.False((bool)subnets["app"]["defaultOutboundAccess"]!);

        var nat = snapshot.Single("Microsoft.Network/natGateways");
        Assert.Equal("Standard", Text(nat["sku"]!["name"]));
        Assert.Equal(Text(nat["id"]), Text(subnets["app"]["natGateway"]!["id"]));
        var ip = snapshot.Single("Microsoft.Network/publicIPAddresses");
        Assert.Equal("Static", Text(ip["properties"]!["publicIPAllocationMethod"]));
        Assert.Equal("Standard", Text(ip["sku"]!["name"]));
        Assert.Equal(Text(ip["id"]), Text(Assert.Single(nat["properties"]!["publicIpAddresses"]!.AsArray())!["id"]));

        var site = snapshot.Single("Microsoft.Web/sites");
        Assert.Equal($"{Text(network["id"])}/subnets/app", Text(site["properties"]!["virtualNetworkSubnetId"]));

        // The address to allow-list on the exchange key: the NAT gateway's public IP, known once deployed.
        Assert.Equal($"[reference('{Text(ip["id"])}', '2024-07-01').ipAddress]", Text(snapshot.Outputs["AZURE_OUTBOUND_IP_ADDRESS"]));
    }

    [Fact]
    public async Task On_storage_and_key_vault_refuse_public_access_and_have_private_endpoints_with_dns()
    {
        var snapshot = await On();
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts");
        var vault = snapshot.Single("Microsoft.KeyVault/vaults");
        var network = snapshot.Single("Microsoft.Network/virtualNetworks");

        foreach (var resource in new[] { storage, vault })
        {
            Assert.Equal("Disabled", Text(resource["properties"]!["publicNetworkAccess"]));
            Assert.Equal("Deny", Text(resource["properties"]!["networkAcls"]!["defaultAction"]));
        }

        var endpoints = snapshot.OfType("Microsoft.Network/privateEndpoints");
        var byGroup = endpoints.ToDictionary(e => Text(Assert.Single(Connection(e)["groupIds"]!.AsArray())), e => e);
        Assert.Equal(["blob", "queue", "table", "vault"], byGroup.Keys.Order());
        foreach (var (group, endpoint) in byGroup)
        {
            Assert.Equal(Text((group == "vault" ? vault : storage)["id"]), Text(Connection(endpoint)["privateLinkServiceId"]));
            Assert.Equal($"{Text(network["id"])}/subnets/private-endpoints", Text(endpoint["properties"]!["subnet"]!["id"]));

            // Registered in the zone of its own service.
            var zoneGroup = snapshot.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").Single(z => Text(z["name"]) == $"{Text(endpoint["name"])}/default");
            var zone = Text(Assert.Single(zoneGroup["properties"]!["privateDnsZoneConfigs"]!.AsArray())!["properties"]!["privateDnsZoneId"]);
            Assert.Contains(group == "vault" ? "privatelink{0}', replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')" : $"privatelink.{group}.{{0}}', environment().suffixes.storage", zone, StringComparison.Ordinal);
        }

        // Four zones, each linked to the network without auto-registration.
        Assert.Equal(4, snapshot.OfType("Microsoft.Network/privateDnsZones").Count);
        var links = snapshot.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks");
        Assert.Equal(4, links.Count);
        Assert.All(links, l =>
        {
            Assert.Equal(Text(network["id"]), Text(l["properties"]!["virtualNetwork"]!["id"]));
            Assert.False((bool)l["properties"]!["registrationEnabled"]!);
        });
        Assert.StartsWith(Subscription, Text(network["id"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_app_waits_for_the_private_endpoints_and_the_address_space_can_be_changed()
    {
        var template = await MainAsync();
        var moved = await DeploymentSnapshot.OfAsync(("networkIsolation", "true"), ("virtualNetworkAddressPrefix", "'172.20.8.0/23'"));

        var subnets = moved.Single("Microsoft.Network/virtualNetworks")["properties"]!["subnets"]!.AsArray().Select(s => Text(s!["properties"]!["addressPrefix"]));
        Assert.Equal(["172.20.8.0/24", "172.20.9.0/24"], subnets);
        var dependsOn = template.ModuleDeployment("function-app")["dependsOn"]!.AsArray().Select(Text);
        Assert.Contains("privateEndpoints", dependsOn);

        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${AZURE_NETWORK_ISOLATION=false}", Text(file["networkIsolation"]!["value"]));
        Assert.Equal("${AZURE_VNET_ADDRESS_PREFIX=10.40.0.0/16}", Text(file["virtualNetworkAddressPrefix"]!["value"]));
    }

    private static JsonNode Connection(JsonObject endpoint) =>
        Assert.Single(endpoint["properties"]!["privateLinkServiceConnections"]!.AsArray())!["properties"]!;
}
