using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Storage;

namespace NeuraTrade.Infra.Tests.Storage;

/// <summary>Connection string locally, table endpoint + managed identity in Azure: chosen from settings alone, offline.</summary>
public sealed class TableServiceSelectionTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";
    private const string Endpoint = "https://stneuratrade.table.core.windows.net/";
    private const string ClientId = "0f3a5c1e-8d2b-4e6f-9a7c-1b2d3e4f5a6b";

    [Fact]
    public void Nothing_configured_means_local_Azurite()
    {
        var target = StorageSettings.Target(new Dictionary<string, string?>());

        Assert.Equal("UseDevelopmentStorage=true", target.ConnectionString);
        Assert.False(target.UsesIdentity);
        Assert.Null(StorageSettings.StartupError(new Dictionary<string, string?>()));
        Assert.Equal("devstoreaccount1", StorageSettings.Client(new Dictionary<string, string?>()).AccountName);
    }

    [Fact]
    public void Storage_connection_string_is_used_as_today()
    {
        var settings = new Dictionary<string, string?> { ["Storage__ConnectionString"] = Azurite, ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };

        var target = StorageSettings.Target(settings);
        var client = StorageSettings.Client(settings);

        Assert.Equal(Azurite, target.ConnectionString);
        Assert.Null(target.ServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), client.Uri);
        using var services = StorageSettings.Services(settings);
        Assert.Equal(Azurite, services.GetRequiredService<IOptions<TableStorageOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void AzureWebJobsStorage_connection_string_is_the_fallback()
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = Azurite };

        Assert.Equal(Azurite, StorageSettings.Target(settings).ConnectionString);
        Assert.Equal("devstoreaccount1", StorageSettings.Client(settings).AccountName);
    }

    [Fact]
    public void Table_service_uri_selects_the_managed_identity_named_by_the_host_client_id()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage__TableServiceUri"] = Endpoint,
            ["AzureWebJobsStorage__accountName"] = "stneuratrade",
            ["AzureWebJobsStorage__credential"] = "managedidentity",
            ["AzureWebJobsStorage__clientId"] = ClientId,
        };

        var target = StorageSettings.Target(settings);

        Assert.True(target.UsesIdentity);
        Assert.Null(target.ConnectionString);
        Assert.Equal(new Uri(Endpoint), target.ServiceUri);
        Assert.Equal(ClientId, target.ManagedIdentityClientId);
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(target.CreateCredential());
    }

    [Fact]
    public void Identity_client_is_built_on_the_endpoint_without_a_network_call_and_validates()
    {
        var settings = new Dictionary<string, string?> { ["Storage__TableServiceUri"] = Endpoint, ["AzureWebJobsStorage__clientId"] = ClientId };

        // Building the client and its DefaultAzureCredential sends nothing: a token is fetched on the first request only.
        var client = StorageSettings.Client(settings);

        Assert.Equal(new Uri(Endpoint), client.Uri);
        Assert.Equal("stneuratrade", client.AccountName);
        Assert.Null(StorageSettings.StartupError(settings));
        using var services = StorageSettings.Services(settings);
        Assert.Equal(string.Empty, services.GetRequiredService<IOptions<TableStorageOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void Client_id_falls_back_to_AZURE_CLIENT_ID()
    {
        var settings = new Dictionary<string, string?> { ["Storage__TableServiceUri"] = Endpoint, ["AZURE_CLIENT_ID"] = ClientId };

        Assert.Equal(ClientId, StorageSettings.Target(settings).ManagedIdentityClientId);
    }

    [Fact]
    public void Without_a_client_id_the_credential_picks_the_identity_itself()
    {
        var target = StorageSettings.Target(new Dictionary<string, string?> { ["Storage__TableServiceUri"] = Endpoint });

        Assert.True(target.UsesIdentity);
        Assert.Null(target.ManagedIdentityClientId);
    }

    [Fact]
    public void Host_table_service_uri_is_used_when_the_app_sets_none()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__tableServiceUri"] = Endpoint,
            ["AzureWebJobsStorage__credential"] = "managedidentity",
            ["AzureWebJobsStorage__clientId"] = ClientId,
        };

        var target = StorageSettings.Target(settings);

        Assert.Equal(new Uri(Endpoint), target.ServiceUri);
        Assert.Equal(ClientId, target.ManagedIdentityClientId);
        Assert.Null(StorageSettings.StartupError(settings));
    }

    [Fact]
    public void The_apps_own_table_endpoint_wins_over_the_hosts_connection_string()
    {
        var settings = new Dictionary<string, string?> { ["Storage__TableServiceUri"] = Endpoint, ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };

        Assert.Equal(new Uri(Endpoint), StorageSettings.Target(settings).ServiceUri);
    }

    [Fact]
    public void Identity_based_host_storage_without_a_table_endpoint_fails_at_start_naming_the_keys()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__accountName"] = "stneuratrade",
            ["AzureWebJobsStorage__credential"] = "managedidentity",
        };

        var error = StorageSettings.StartupError(settings);

        Assert.NotNull(error);
        Assert.Contains("Storage__TableServiceUri", error, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__tableServiceUri", error, StringComparison.Ordinal);
        Assert.Contains("Storage__ConnectionString", error, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => StorageSettings.Target(settings).CreateClient());
    }

    [Fact]
    public void An_empty_connection_string_and_no_endpoint_fails_at_start_naming_the_keys()
    {
        var error = StorageSettings.StartupError(new Dictionary<string, string?> { ["Storage__ConnectionString"] = string.Empty });

        Assert.NotNull(error);
        Assert.Contains("Storage__ConnectionString", error, StringComparison.Ordinal);
        Assert.Contains("Storage__TableServiceUri", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_a_connection_string_and_a_table_endpoint_is_refused()
    {
        var error = StorageSettings.StartupError(new Dictionary<string, string?> { ["Storage__ConnectionString"] = Azurite, ["Storage__TableServiceUri"] = Endpoint });

        Assert.NotNull(error);
        Assert.Contains("both set", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://stneuratrade.table.core.windows.net/")]
    [InlineData("stneuratrade")]
    public void A_table_endpoint_must_be_an_https_url(string endpoint)
    {
        var error = StorageSettings.StartupError(new Dictionary<string, string?> { ["Storage__TableServiceUri"] = endpoint });

        Assert.NotNull(error);
        Assert.Contains("Storage:TableServiceUri must be an https table endpoint", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_a_connection_string_is_refused()
    {
        var error = StorageSettings.StartupError(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "stneuratrade" });

        Assert.NotNull(error);
        Assert.Contains("AzureWebJobsStorage is not a connection string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_prefix_is_still_validated_with_a_table_endpoint()
    {
        var error = StorageSettings.StartupError(new Dictionary<string, string?> { ["Storage__TableServiceUri"] = Endpoint, ["Storage__TablePrefix"] = "not-valid!" });

        Assert.NotNull(error);
        Assert.Contains("Storage:TablePrefix", error, StringComparison.Ordinal);
        Assert.DoesNotContain("ConnectionString field is required", error, StringComparison.Ordinal);
    }
}
