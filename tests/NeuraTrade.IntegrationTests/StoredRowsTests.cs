using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Rows written by released versions (Fixtures/stored-rows.json, never edited; each version adds its own) still read,
/// on real Azurite, with the values they were written with and the defaults the newer fields take for them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoredRowsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Version_1_positions_and_state_read_with_their_fees_in_quote()
    {
        var tables = await LoadAsync("v1");
        var positions = new TablePositionStore(tables);

        var open = Assert.Single(await positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(("pos-v1-open", "BTC/USDT", PositionSide.Long, 0.002m, 50_000m), (open.Id, open.Symbol, open.Side, open.Amount, open.EntryPrice));
        Assert.Null(open.EntryFees);
        Assert.Equal([new FeeCharge("USDT", 0.1m)], open.EntryCharges);

        var closed = Assert.Single(await positions.GetClosedAsync(new DateOnly(2026, 11, 20), CancellationToken.None));
        Assert.Equal(ExitReason.Timeout, closed.ExitReason);
        Assert.Equal([new FeeCharge("USDT", 0.101m)], closed.ExitCharges);
        Assert.Null(closed.QuoteRate);

        // (50,500 − 50,000) × 0.002 − 0.1 − 0.101 = 0.799, as the row says; a USDT market needs no rate.
        Assert.Equal(0.799m, closed.RealizedPnl);
        Assert.Equal(0.799m, closed.AccountPnl);

        var state = await StateStore(tables, new DateTimeOffset(2026, 11, 20, 10, 5, 0, TimeSpan.Zero)).GetAsync(CancellationToken.None);
        Assert.Equal((true, 0.799m, 12.5m, 1, 1), (state.Active, state.DailyRealizedPnl, state.TotalRealizedPnl, state.TradesToday, state.WinsToday));
        Assert.Equal(0m, state.DayPeakEquity);
    }

    [Fact]
    public async Task Version_2_rows_read_with_fee_currencies_quote_rates_and_the_equity_peak()
    {
        var tables = await LoadAsync("v2");

        var closed = Assert.Single(await new TablePositionStore(tables).GetClosedAsync(new DateOnly(2026, 12, 2), CancellationToken.None));
        Assert.Equal([new FeeCharge("ETH", 0.0000995m)], closed.EntryCharges);
        Assert.Equal([new FeeCharge("BTC", 0.00000487m)], closed.ExitCharges);

        // (0.049 − 0.05) × 0.0994005 − 0.000004975 − 0.00000487 = −0.0001092455 BTC, × 20,000 = −2.18491 USDT.
        Assert.Equal(-0.0001092455m, closed.RealizedPnl);
        Assert.Equal(20_000m, closed.QuoteRate);
        Assert.Equal(-2.18491m, closed.AccountPnl);

        var state = await StateStore(tables, new DateTimeOffset(2026, 12, 2, 10, 5, 0, TimeSpan.Zero)).GetAsync(CancellationToken.None);
        Assert.Equal((-2.18491m, 10.31509m, 0.5m), (state.DailyRealizedPnl, state.TotalRealizedPnl, state.DayPeakEquity));
    }

    private static TableScalpingStateStore StateStore(TableStore tables, DateTimeOffset now) =>
        new(tables, Options.Create(new ScalpingOptions()), new FakeTimeProvider(now));

    /// <summary>Writes the fixture's rows of <paramref name="version"/> as they are, under a fresh table prefix.</summary>
    private async Task<TableStore> LoadAsync(string version)
    {
        var tables = new TableStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TableStorageOptions { TablePrefix = AzuriteFixture.UniquePrefix() }));
        using var fixture = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stored-rows.json")));
        foreach (var row in fixture.RootElement.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("version").GetString() == version))
        {
            var entity = new TableEntity(row.GetProperty("partition").GetString(), row.GetProperty("row").GetString());
            foreach (var property in row.GetProperty("properties").EnumerateObject())
            {
                var text = property.Value[1].GetString()!;
                entity[property.Name] = property.Value[0].GetString() switch
                {
                    "string" => text,
                    "datetime" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    "bool" => bool.Parse(text),
                    "int" => int.Parse(text, CultureInfo.InvariantCulture),
                    var type => throw new InvalidDataException($"unknown property type {type}"),
                };
            }

            var table = await tables.GetTableAsync(row.GetProperty("table").GetString()!, CancellationToken.None);
            await table.AddEntityAsync(entity);
        }

        return tables;
    }
}
