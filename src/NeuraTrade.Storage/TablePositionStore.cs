using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// Open positions live in <c>positions</c> (one partition, "open": a handful of rows); a closed position is
/// written to <c>trades</c> (partition = UTC close day yyyyMMdd, newest first) and then removed from
/// <c>positions</c>. Both steps are idempotent, so a crash between them is mended by closing again.
/// </summary>
public sealed class TablePositionStore(TableStore tables) : IPositionStore
{
    private const string OpenPartition = "open";

    public async Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Positions, cancellationToken);
        var result = new List<Position>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == OpenPartition, cancellationToken: cancellationToken))
        {
            result.Add(FromEntity(entity));
        }

        return result;
    }

    public async Task SaveOpenAsync(Position position, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Positions, cancellationToken);
        await table.UpsertEntityAsync(ToEntity(position, OpenPartition, position.Id), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task CloseAsync(Position closed, CancellationToken cancellationToken)
    {
        var closedAt = closed.ClosedAt ?? throw new ArgumentException("the position is not closed", nameof(closed));
        var trades = await tables.GetTableAsync(TableNames.Trades, cancellationToken);
        await trades.UpsertEntityAsync(ToEntity(closed, DayKey(closedAt), $"{NewestFirst(closedAt)}-{closed.Id}"), TableUpdateMode.Replace, cancellationToken);
        var positions = await tables.GetTableAsync(TableNames.Positions, cancellationToken);
        try
        {
            await positions.DeleteEntityAsync(OpenPartition, closed.Id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already removed by an earlier attempt.
        }
    }

    public async Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Trades, cancellationToken);
        var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var result = new List<Position>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            result.Add(FromEntity(entity));
        }

        return result;
    }

    private static string DayKey(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(Position p, string partition, string row) => new(partition, row)
    {
        ["Id"] = p.Id,
        ["Symbol"] = p.Symbol,
        ["Side"] = p.Side.ToString().ToLowerInvariant(),
        ["Amount"] = Text(p.Amount),
        ["EntryPrice"] = Text(p.EntryPrice),
        ["EntryFee"] = Text(p.EntryFee),
        ["StopLoss"] = Text(p.StopLoss),
        ["TakeProfit"] = Text(p.TakeProfit),
        ["OpenedAt"] = p.OpenedAt,
        ["EntryOrderId"] = p.EntryOrderId,
        ["DecisionId"] = p.DecisionId,
        ["DecisionCreatedAt"] = p.DecisionCreatedAt,
        ["ExitPrice"] = Text(p.ExitPrice),
        ["ExitFee"] = Text(p.ExitFee),
        ["ClosedAt"] = p.ClosedAt,
        ["ExitReason"] = p.ExitReason?.ToString(),
        ["ExitOrderId"] = p.ExitOrderId,
        ["RealizedPnl"] = Text(p.RealizedPnl),
        ["EntryFees"] = FeeCharges.Text(p.EntryFees),
        ["ExitFees"] = FeeCharges.Text(p.ExitFees),
        ["QuoteRate"] = Text(p.QuoteRate),
        ["BestPrice"] = Text(p.BestPrice),
        ["WorstPrice"] = Text(p.WorstPrice),
    };

    private static Position FromEntity(TableEntity e) => new(
        String(e, "Id"),
        String(e, "Symbol"),
        Enum<PositionSide>(e, "Side"),
        Decimal(e, "Amount"),
        Decimal(e, "EntryPrice"),
        Decimal(e, "EntryFee"),
        Decimal(e, "StopLoss"),
        Decimal(e, "TakeProfit"),
        Time(e, "OpenedAt"),
        String(e, "EntryOrderId"),
        String(e, "DecisionId"),
        Time(e, "DecisionCreatedAt"),
        OptionalDecimal(e, "ExitPrice"),
        OptionalDecimal(e, "ExitFee"),
        e.GetDateTimeOffset("ClosedAt"),
        OptionalEnum<ExitReason>(e, "ExitReason"),
        e.GetString("ExitOrderId"),
        FeeCharges.Parse(e.GetString("EntryFees")),
        FeeCharges.Parse(e.GetString("ExitFees")),
        OptionalDecimal(e, "QuoteRate"),
        // Rows written before the excursion was tracked have neither: read as not seen yet.
        OptionalDecimal(e, "BestPrice"),
        OptionalDecimal(e, "WorstPrice"));
}
