using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The <c>arbitrage</c> table. Row <c>state/state</c>: the toggle (<c>Enabled</c>, absent until someone toggles, when
/// <c>Arbitrage:Enabled</c> answers), why it is off (<c>OffReason</c>, empty when toggled by hand) and the last scan (merged
/// separately, so a scan never undoes a toggle). One partition per UTC day (<c>outcome-yyyyMMdd</c>), one row per decision
/// id: an <see cref="ArbitrageOutcome"/>, money as invariant strings; a retried decision rewrites its own row.
/// </summary>
public sealed class TableArbitrageStore(TableStore tables, IOptions<ArbitrageOptions> options) : IArbitrageStore
{
    public const string TableName = "arbitrage";
    private const string StatePartition = "state";
    private const string StateRow = "state";

    public async Task<ArbitrageState> GetStateAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(StatePartition, StateRow, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return new ArbitrageState(options.Value.Enabled, null, null, null, null, null);
        }

        var e = row.Value!;
        return new ArbitrageState(
            e.GetBoolean("Enabled") ?? options.Value.Enabled,
            e.GetString("OffReason") is { Length: > 0 } reason ? reason : null,
            e.GetDateTimeOffset("UpdatedAt"),
            e.GetDateTimeOffset("LastScanAt"),
            e.GetString("LastScanSummary"),
            OptionalDecimal(e, "LastBestEdgePercent"));
    }

    public async Task<ArbitrageState> SetEnabledAsync(bool enabled, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(StatePartition, StateRow) { ["Enabled"] = enabled, ["OffReason"] = enabled ? string.Empty : reason ?? string.Empty, ["UpdatedAt"] = at },
            TableUpdateMode.Merge,
            cancellationToken);
        return await GetStateAsync(cancellationToken);
    }

    public async Task RecordScanAsync(DateTimeOffset at, string summary, decimal? bestEdgePercent, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(StatePartition, StateRow) { ["LastScanAt"] = at, ["LastScanSummary"] = summary, ["LastBestEdgePercent"] = Text(bestEdgePercent) ?? string.Empty },
            TableUpdateMode.Merge,
            cancellationToken);
    }

    public async Task SaveOutcomeAsync(DateTimeOffset at, ArbitrageOutcome outcome, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var o = outcome;
        await table.UpsertEntityAsync(
            new TableEntity(DayPartition(DateOnly.FromDateTime(at.UtcDateTime)), o.DecisionId)
            {
                ["At"] = at,
                ["Status"] = o.Status.ToString(),
                ["BuyVenue"] = o.BuyVenue,
                ["SellVenue"] = o.SellVenue,
                ["BuyClientOrderId"] = o.BuyClientOrderId,
                ["SellClientOrderId"] = o.SellClientOrderId,
                ["Bought"] = Text(o.Bought),
                ["BuyPrice"] = Text(o.BuyPrice),
                ["Sold"] = Text(o.Sold),
                ["SellPrice"] = Text(o.SellPrice),
                ["Unwound"] = Text(o.Unwound),
                ["UnwindPrice"] = Text(o.UnwindPrice),
                ["BuyFee"] = Text(o.BuyFee),
                ["SellFee"] = Text(o.SellFee),
                ["UnwindFee"] = Text(o.UnwindFee),
                ["BuySlippagePercent"] = Text(o.BuySlippagePercent),
                ["SellSlippagePercent"] = Text(o.SellSlippagePercent),
                ["ExpectedNetEdgePercent"] = Text(o.ExpectedNetEdgePercent),
                ["ExpectedProfit"] = Text(o.ExpectedProfit),
                ["CapturedNetEdgePercent"] = Text(o.CapturedNetEdgePercent),
                ["Profit"] = Text(o.Profit),
                ["Note"] = o.Note,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<StoredArbitrageOutcome>> GetOutcomesAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var partition = DayPartition(day);
        var outcomes = new List<StoredArbitrageOutcome>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            outcomes.Add(new StoredArbitrageOutcome(Time(e, "At"), new ArbitrageOutcome(
                e.RowKey, Enum<ArbitrageStatus>(e, "Status"), String(e, "BuyVenue"), String(e, "SellVenue"), String(e, "BuyClientOrderId"), String(e, "SellClientOrderId"),
                Decimal(e, "Bought"), Decimal(e, "BuyPrice"), Decimal(e, "Sold"), Decimal(e, "SellPrice"), Decimal(e, "Unwound"), Decimal(e, "UnwindPrice"),
                Decimal(e, "BuyFee"), Decimal(e, "SellFee"), Decimal(e, "UnwindFee"), Decimal(e, "BuySlippagePercent"), Decimal(e, "SellSlippagePercent"),
                Decimal(e, "ExpectedNetEdgePercent"), Decimal(e, "ExpectedProfit"), Decimal(e, "CapturedNetEdgePercent"), Decimal(e, "Profit"), e.GetString("Note") ?? string.Empty)));
        }

        return outcomes.OrderBy(o => o.At).ToList();
    }

    private static string DayPartition(DateOnly day) => "outcome-" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
