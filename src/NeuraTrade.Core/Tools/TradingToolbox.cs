using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tools;

/// <summary>
/// The tools themselves. Each answers with a JSON object (never a JSON string, which would be escaped a
/// second time); a failure is an <c>{"error": …}</c> result the model can read, not an exception. An entry the
/// model proposes (<c>place_order</c>, <c>check_risk</c>) takes the <see cref="EntryPipeline"/> like every other:
/// validation, AI review, risk gate (and for an order, admission, placement and the journal).
/// </summary>
public sealed class TradingToolbox(
    IExchange exchange,
    IPositionStore positions,
    IScalpingStateStore state,
    TradeDesk desk,
    EntryPipeline entries,
    IOptions<ScalpingOptions> scalping,
    IOptions<BrainOptions> brain,
    TimeProvider time)
{
    private const int MaxCandles = 200;

    // Starts from M.E.AI's defaults (reflection-based resolver for anonymous results), snake_case on top.
    private static readonly JsonSerializerOptions Json = new(AIJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public ToolRegistry CreateRegistry()
    {
        var registry = new ToolRegistry(brain.Value.ExecutionTools);
        Add(registry, TradingToolKind.MarketData, "get_market_data", "Ticker (bid, ask, last, spread) and indicators (EMA9, EMA21, ATR14, RSI14, momentum, volatility) for a symbol.", GetMarketDataAsync);
        Add(registry, TradingToolKind.MarketData, "get_candles", "Closed OHLCV candles for a symbol, oldest first, as [open_time_ms, open, high, low, close, volume].", GetCandlesAsync);
        Add(registry, TradingToolKind.MarketData, "get_order_book", "Order book for a symbol: top levels per side as [price, amount], plus bid/ask depth and imbalance.", GetOrderBookAsync);
        Add(registry, TradingToolKind.Portfolio, "get_portfolio", "Free balances, open position count, today's realized PnL and the remaining daily loss budget.", GetPortfolioAsync);
        Add(registry, TradingToolKind.Portfolio, "get_positions", "Open positions with entry, stop-loss, take-profit and current unrealized PnL.", GetPositionsAsync);
        Add(registry, TradingToolKind.Portfolio, "check_risk", "Whether an entry (side, size_percent, stop_loss, take_profit, confidence) would pass the validator and the hard risk limits exactly as an order would, and the notional it would get. Places nothing.", CheckRiskAsync);
        Add(registry, TradingToolKind.Execution, "place_order", "Open a position (side buy or sell) with stop-loss and take-profit; validated and risk-gated like every other order.", PlaceOrderAsync);
        Add(registry, TradingToolKind.Execution, "cancel_order", "Cancel an open order by its id and symbol.", CancelOrderAsync);
        Add(registry, TradingToolKind.Execution, "close_position", "Close an open position at market by its id.", ClosePositionAsync);
        return registry;
    }

    [Description("Ticker and indicators for a symbol.")]
    private async Task<object> GetMarketDataAsync([Description("BASE/QUOTE, e.g. BTC/USDT")] string symbol, CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            var market = MarketSnapshot.Create(await exchange.FetchTickerAsync(s, cancellationToken), await exchange.FetchOhlcvAsync(s, brain.Value.CandleTimeframe, brain.Value.HistoryCandles, cancellationToken));
            return (object)new { market.Symbol, market.Ticker.Bid, market.Ticker.Ask, market.Ticker.Last, spread_pct = market.Ticker.SpreadPercent, indicators = market.Indicators };
        });

    private async Task<object> GetCandlesAsync([Description("BASE/QUOTE")] string symbol, [Description("how many, 1 to 200")] int limit, CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            if (limit is < 1 or > MaxCandles)
            {
                return Error($"limit must be 1 to {MaxCandles}");
            }

            var candles = await exchange.FetchOhlcvAsync(s, brain.Value.CandleTimeframe, limit, cancellationToken);
            return new { symbol = s, timeframe = brain.Value.CandleTimeframe, candles = candles.Select(c => new object[] { c.OpenTime.ToUnixTimeMilliseconds(), c.Open, c.High, c.Low, c.Close, c.Volume }) };
        });

    private async Task<object> GetOrderBookAsync([Description("BASE/QUOTE")] string symbol, [Description("levels per side, 1 to 50")] int limit, CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            if (limit is < 1 or > 50)
            {
                return Error("limit must be 1 to 50");
            }

            var book = await exchange.FetchOrderBookAsync(s, limit, cancellationToken);
            var bids = book.Bids.Take(limit).ToList();
            var asks = book.Asks.Take(limit).ToList();
            var bidDepth = bids.Sum(l => l.Amount);
            var askDepth = asks.Sum(l => l.Amount);
            return new
            {
                symbol = s,
                bids = bids.Select(l => new[] { l.Price, l.Amount }),
                asks = asks.Select(l => new[] { l.Price, l.Amount }),
                bid_depth = bidDepth,
                ask_depth = askDepth,
                imbalance = bidDepth + askDepth == 0m ? 0m : Math.Round((bidDepth - askDepth) / (bidDepth + askDepth), 4),
            };
        });

    private async Task<object> CancelOrderAsync([Description("the order id")] string order_id, [Description("BASE/QUOTE")] string symbol, CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            var order = await exchange.CancelOrderAsync(order_id, s, cancellationToken);
            return (object)new { canceled = true, order.Id, order.Status, order.Filled };
        });

    private async Task<object> GetPortfolioAsync(CancellationToken cancellationToken)
    {
        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        var open = await positions.GetOpenAsync(cancellationToken);
        var today = (await state.GetAsync(cancellationToken)).On(time.GetUtcNow());
        return new
        {
            balances = balances.ByCurrency.Where(kv => kv.Value.Total != 0m).ToDictionary(kv => kv.Key, kv => kv.Value.Free),
            open_positions = open.Count,
            daily_pnl = today.DailyRealizedPnl,
            remaining_daily_loss = Math.Max(0m, scalping.Value.MaxDailyLoss + today.DailyRealizedPnl),
            active = today.Active,
        };
    }

    private async Task<object> GetPositionsAsync(CancellationToken cancellationToken)
    {
        var open = await positions.GetOpenAsync(cancellationToken);
        var views = new List<object>(open.Count);
        foreach (var p in open)
        {
            var ticker = await exchange.FetchTickerAsync(p.Symbol, cancellationToken);
            var mark = p.Side == PositionSide.Long ? ticker.Bid : ticker.Ask;
            views.Add(new { p.Id, p.Symbol, p.Side, p.Amount, p.EntryPrice, p.StopLoss, p.TakeProfit, p.OpenedAt, mark_price = mark, unrealized_pnl = p.PnlAt(mark, 0m) });
        }

        return new { positions = views };
    }

    private async Task<object> CheckRiskAsync(
        [Description("BASE/QUOTE")] string symbol,
        [Description("buy or sell")] string side,
        [Description("percent of free quote balance")] decimal size_percent,
        [Description("stop-loss price")] decimal stop_loss,
        [Description("take-profit price")] decimal take_profit,
        [Description("0 to 1")] decimal confidence,
        CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            // Exactly what the desk would ask for this entry: the validated decision, against fresh positions, balances,
            // state and the risk context (drawdown, losing streak, cooldown, unrealized loss). Nothing is placed.
            if (await ProposedEntryAsync(s, side, size_percent, stop_loss, take_profit, confidence, "check_risk probe", cancellationToken) is not { } proposed)
            {
                return Error("side must be buy or sell");
            }

            var (decision, ticker) = proposed;
            var verdict = (await entries.AssessAsync(decision, ticker, cancellationToken)).Verdict;
            return (object)new { approved = verdict.Approved, notional = verdict.Notional, reason = verdict.Reason };
        });

    /// <summary>
    /// The entry decision for a tool's order arguments at the current market, validated and (with <c>AI:RiskReview</c>)
    /// reviewed by the <see cref="EntryPipeline"/>; null for a side that is neither buy nor sell.
    /// </summary>
    private async Task<(TradingDecision Decision, Ticker Ticker)?> ProposedEntryAsync(string symbol, string side, decimal sizePercent, decimal stopLoss, decimal takeProfit, decimal confidence, string reasoning, CancellationToken cancellationToken)
    {
        var action = side.Trim().ToLowerInvariant() switch
        {
            "buy" => TradeAction.Buy,
            "sell" => TradeAction.Sell,
            _ => TradeAction.Hold,
        };
        if (action == TradeAction.Hold)
        {
            return null;
        }

        var market = await entries.ReadMarketAsync(symbol, cancellationToken);
        var entry = action == TradeAction.Buy ? market.Ticker.Ask : market.Ticker.Bid;
        var proposal = new TradeProposal(action, sizePercent, entry, stopLoss, takeProfit, confidence, reasoning, string.Empty, string.Empty, "tool:place_order", 0);
        var decision = await entries.ValidateAndReviewAsync(proposal, market, null, TradingStrategy.Scalping, DecisionSource.Api, time.GetUtcNow(), cancellationToken);
        return (decision, market.Ticker);
    }

    private async Task<object> PlaceOrderAsync(
        [Description("BASE/QUOTE")] string symbol,
        [Description("buy or sell")] string side,
        [Description("percent of free quote balance")] decimal size_percent,
        [Description("stop-loss price")] decimal stop_loss,
        [Description("take-profit price")] decimal take_profit,
        [Description("0 to 1")] decimal confidence,
        [Description("why, in one or two sentences")] string reasoning,
        CancellationToken cancellationToken) =>
        await GuardAsync(symbol, async s =>
        {
            if (await ProposedEntryAsync(s, side, size_percent, stop_loss, take_profit, confidence, reasoning, cancellationToken) is not { } proposed)
            {
                return Error("side must be buy or sell");
            }

            var (decision, ticker) = proposed;
            var result = await entries.EnterAsync(decision, ticker, cancellationToken);
            return result.Opened is { } p
                ? new { placed = true, position_id = p.Id, p.Amount, entry_price = p.EntryPrice, decision_id = result.Decision.Id }
                : (object)new { placed = false, reason = result.Decision.HoldReason, decision_id = result.Decision.Id };
        });

    private async Task<object> ClosePositionAsync([Description("the position id from get_positions")] string position_id, CancellationToken cancellationToken)
    {
        var open = await positions.GetOpenAsync(cancellationToken);
        if (open.FirstOrDefault(p => p.Id == position_id) is not { } position)
        {
            return Error($"no open position {position_id}");
        }

        var closed = await desk.ExitAsync(position, ExitReason.Manual, cancellationToken);
        return closed is null ? Error("the exchange refused the exit; it is retried on the next scan") : new { closed = true, closed.ExitPrice, realized_pnl = closed.RealizedPnl };
    }

    private static void Add(ToolRegistry registry, TradingToolKind kind, string name, string description, Delegate method) =>
        registry.Register(new TradingTool(name, kind, AIFunctionFactory.Create(method, new AIFunctionFactoryOptions { Name = name, Description = description, SerializerOptions = Json })));

    /// <summary>Checks the symbol is in the universe and turns exchange errors into results the model can read.</summary>
    private async Task<object> GuardAsync(string symbol, Func<string, Task<object>> body)
    {
        if (!MarketSymbol.TryNormalize(symbol, out var s) || !scalping.Value.Symbols.Contains(s, StringComparer.Ordinal))
        {
            return Error($"'{symbol}' is not a configured symbol ({string.Join(", ", scalping.Value.Symbols)})");
        }

        try
        {
            return await body(s);
        }
        catch (ExchangeException ex)
        {
            return Error($"{ex.ErrorType}: {ex.Message}");
        }
    }

    private static object Error(string message) => new { error = message };
}
