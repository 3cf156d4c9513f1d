using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The backtest driver: the rules brain's backtest at the speed of a loop (<c>--engine fast</c>; chosen by <c>auto</c>
/// for the rules brain). It walks the same timeline as <see cref="BacktestRunner"/> (<see cref="BacktestDriver"/>) and
/// trades it with the same rules, <see cref="TradeSteps"/> (the exit pass with trailing and break-even stops, the fills
/// of exits and entries, dust, the decision's result, the decision's age and the risk gate, the entry order sized to the
/// book), the same <see cref="RiskGate"/>, <see cref="RiskContext"/>, <see cref="RulesBrain"/> and
/// <see cref="DecisionValidator"/>, and the paper exchange's own fills (<see cref="PaperExchange.FillMarket"/>,
/// <see cref="PaperExchange.FillLimit"/>) over <see cref="ReplayMarketData.ModelOrderBook"/> and
/// <see cref="ReplayMarketData.Quote"/>. What is its own: it reads and writes the in-memory books synchronously, without
/// claims (nothing else trades the run's account), and its screens skip the work whose answer is certainly HOLD: a
/// candle whose momentum is not positive, whose symbol already has a position, whose free funds cannot make the gate's
/// smallest order (<see cref="RiskGate.ReachesMinimumOrder"/>), where the risk limits rule out an entry, or where
/// <see cref="RulesBrain.MayEnter"/> says the rule cannot enter is journaled as a hold by number only
/// (<see cref="InMemoryDecisionStore.CountHolds"/>) without building its snapshot, text or decision; and the quote of
/// an exit check whose candle cannot reach the position's barriers before its hold time is up. FastPathTests and
/// FastPathPropertyTests run both drivers and require identical reports (docs/backtesting.md).
/// </summary>
public sealed class FastRulesRunner : BacktestDriver
{
    private readonly BacktestSession _session;
    private readonly ScalpingOptions _scalping;
    private readonly BrainOptions _brainOptions;
    private readonly PaperExchangeOptions _exchange;
    private readonly RiskGate _gate;
    private readonly RoundTripCost _costs;
    private readonly DecisionValidator _validator;
    private readonly RulesBrain _brain;
    private readonly Market[] _markets;
    private readonly Dictionary<string, Market> _bySymbol = new(StringComparer.Ordinal);
    private readonly decimal _minConfidence;
    private Dictionary<string, decimal> _balances;
    private readonly Ticker?[] _tickers;
    private ScalpingState _state;
    private RiskContext? _flatContext;
    private List<Position>? _closedRecently;
    private (int Trades, DateOnly Day) _closedRecentlyKey = (-1, default);
    private (int Trades, DateOnly Day) _flatContextKey = (-1, default);

    /// <param name="session">A session from <see cref="BacktestSessionFactory.Create"/> with the <see cref="RulesBrain"/>; its stores receive the run.</param>
    /// <param name="brainOptions">The brain options the session was created with.</param>
    /// <param name="exchangeOptions">The paper exchange options the session was created with.</param>
    public FastRulesRunner(BacktestSession session, BacktestSettings settings, BrainOptions brainOptions, PaperExchangeOptions exchangeOptions)
        : base(session, settings)
    {
        if (Unsupported(settings, brainOptions, session.BrainModel) is { } why)
        {
            throw new InvalidOperationException($"the fast backtest path cannot run this: {why}");
        }

        _session = session;
        _brain = session.Brain as RulesBrain ?? throw new InvalidOperationException("the fast backtest path runs the rules brain only");
        _scalping = session.Scalping;
        _brainOptions = brainOptions;
        _exchange = exchangeOptions;
        _gate = new RiskGate(Options.Create(_scalping));
        _costs = _scalping.Costs;
        _validator = new DecisionValidator(Options.Create(brainOptions));
        _minConfidence = Math.Max(_scalping.MinConfidence, brainOptions.MinConfidence);
        _balances = new Dictionary<string, decimal>(StringComparer.Ordinal) { [exchangeOptions.QuoteCurrency] = exchangeOptions.StartingBalance };
        _state = ScalpingState.Initial(true, session.Clock.GetUtcNow());
        var infos = Wait(session.Exchange.LoadMarketsAsync(CancellationToken.None));
        _markets = [.. _scalping.Symbols.Select(symbol =>
        {
            var market = settings.Markets.First(m => m.Symbol == symbol);
            return new Market(new CandleSeries(market.Symbol, market.Timeframe, market.Candles, market.TickSize), infos[symbol]);
        })];
        foreach (var m in _markets)
        {
            _bySymbol[m.Symbol] = m;
        }

        _tickers = new Ticker?[_markets.Length];
        foreach (var m in _markets)
        {
            m.PrepareScreens(brainOptions.HistoryCandles);
        }
    }

    /// <summary>Why a run cannot take the fast path (then the full engine runs it), or null.</summary>
    public static string? Unsupported(BacktestSettings settings, BrainOptions brainOptions, string brainModel)
    {
        if (brainModel != RulesBrain.ModelName)
        {
            return $"it replays the rules brain only, not {brainModel}";
        }

        if (settings.ExitChecksProblem is { } problem)
        {
            return problem;
        }

        var timeframe = BacktestSessionFactory.DataTimeframe(settings.Markets, brainOptions.Timeframe);
        return settings.Markets.FirstOrDefault(m => !string.Equals(m.Timeframe, timeframe, StringComparison.Ordinal)) is { } other
            ? $"{other.Symbol} is in {other.Timeframe} candles but the brain reads {timeframe} candles (AI:Timeframe)"
            : null;
    }

    protected override ValueTask CloseDueAsync(DateTimeOffset at)
    {
        CloseDue(at);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask ScanAsync(DateTimeOffset at)
    {
        Scan(at);
        return ValueTask.CompletedTask;
    }

    /// <summary>The scalping state the loop kept in hand goes back to the session's store for the report.</summary>
    protected override async ValueTask FinishAsync()
    {
        var final = _state;
        await _session.State.UpdateAsync(_ => final, CancellationToken.None);
    }

    /// <summary>The runner's exit check inside a candle: the engine's exit rule on the quote at that instant.</summary>
    private void CloseDue(DateTimeOffset now)
    {
        foreach (var position in _session.Positions.Open)
        {
            var market = _bySymbol[position.Symbol];
            if (!market.HasData(now)
                || (now - position.OpenedAt < _scalping.PositionHoldTime && !market.MayReach(position, now, _exchange)))
            {
                continue;
            }

            var ticker = market.Ticker(now, _exchange);
            if (ExitRules.Evaluate(position, ticker, now, _scalping.PositionHoldTime) is not { } reason)
            {
                continue;
            }

            Exit(position, reason, ticker, now);
        }
    }

    /// <summary>One scan, as <see cref="ScalpingEngine.RunScanAsync"/> runs it (reconciliation finds nothing in a fresh paper account).</summary>
    private void Scan(DateTimeOffset now)
    {
        _state = _state.On(now);
        var tickers = _tickers;
        Array.Clear(tickers);
        var withData = 0;

        // Exits first, with trailing and break-even stops moved, market by market.
        var open = _session.Positions.OpenCount > 0 ? _session.Positions.Open.ToList() : [];
        for (var i = 0; i < _markets.Length; i++)
        {
            var market = _markets[i];
            if (!market.HasData(now))
            {
                continue;
            }

            withData++;
            if (open.Count > 0)
            {
                CloseDueAtScan(market, tickers[i] = market.Ticker(now, _exchange), open, now);
            }
        }

        // Decisions, all made against the portfolio after the exits; entries then placed one by one.
        var current = _session.Positions.Open;
        if (current.Count > 0)
        {
            // The engine's equity peak (realized plus unrealized); with nothing open it cannot pass the realized peak.
            var seen = Context(current, tickers, now);
            _state = _state.WithEquitySeen(seen.DayRealizedPnl + seen.UnrealizedPnl, now);
        }

        List<(int Index, TradingDecision Decision, Ticker Ticker)>? entries = null;
        for (var i = 0; i < _markets.Length; i++)
        {
            var market = _markets[i];
            if (market.HasData(now) && Decide(market, ref tickers[i], current, tickers, now) is { } decision)
            {
                (entries ??= []).Add((i, decision, tickers[i]!));
            }
        }

        if (entries is null)
        {
            _session.Decisions.CountHolds(withData);
            _state = _state.On(now);
            return;
        }

        // The scan's journal order (EntryPipeline.JournalBehindAsync): every decision in the order of the symbols at the end
        // (holds by number; an entry's final decision, executed or held, in its place).
        var batched = new TradingDecision?[_markets.Length];
        foreach (var (index, decision, ticker) in entries)
        {
            if (Enter(_markets[index], decision, ticker, tickers, now) is { } entry)
            {
                batched[index] = entry.Decision;
            }
        }

        var holds = 0;
        for (var i = 0; i < _markets.Length; i++)
        {
            if (!_markets[i].HasData(now))
            {
                continue;
            }

            if (batched[i] is { } inBatch)
            {
                _session.Decisions.CountHolds(holds);
                holds = 0;
                Wait(_session.Decisions.SaveAsync(inBatch, CancellationToken.None));
                if (_session.Recorder is { } recorder)
                {
                    Wait(recorder.RecordNotTradedAsync(inBatch, CancellationToken.None));
                }
            }
            else
            {
                holds++;
            }
        }

        _session.Decisions.CountHolds(holds);
        _state = _state.On(now);
    }

    private void CloseDueAtScan(Market market, Ticker ticker, List<Position> open, DateTimeOffset now)
    {
        foreach (var held in open.Where(p => p.Symbol == market.Symbol).ToList())
        {
            var check = TradeSteps.CheckExit(held, ticker, now, _scalping);
            var (position, _, due) = check;
            if (check.Changed)
            {
                Wait(_session.Positions.SaveOpenAsync(position, CancellationToken.None));
                open[open.IndexOf(held)] = position;
            }

            if (due is { } reason && Exit(position, reason, ticker, now) is not null)
            {
                open.Remove(position);
            }
        }
    }

    /// <summary>
    /// The scan's decision for one market: null when it is a hold (most candles, settled by the screens without building
    /// anything), else the validated entry decision the live engine would hand to the trade desk.
    /// </summary>
    private TradingDecision? Decide(Market market, ref Ticker? ticker, IReadOnlyList<Position> open, Ticker?[] tickers, DateTimeOffset now)
    {
        var (first, count) = market.Window(now, _brainOptions.HistoryCandles);
        if (count < MarketSnapshot.SlowEmaPeriod)
        {
            return null;
        }

        // Rounded momentum > 0 needs the last close above the one 3 candles before (exact decimals).
        var last = first + count - 1;
        var before = market.Candles[last - MarketSnapshot.MomentumBars].Close;
        if (before == 0m || market.Candles[last].Close <= before)
        {
            return null;
        }

        // The limits a position already open settles, then the rule's screen, then the other limits whatever the
        // spread (it can only add a block) against the context the scan reads.
        var holdsSymbol = false;
        for (var i = 0; i < open.Count; i++)
        {
            holdsSymbol |= open[i].Symbol == market.Symbol;
        }

        if (holdsSymbol || open.Count >= _scalping.MaxPositions)
        {
            return null;
        }

        var (emaFast, emaSlow, atr) = market.Screen(first, count);
        if (!RulesBrain.MayEnter(emaFast, emaSlow, atr, market.Close[last], market.LowestPrice(now) * (1d - 1e-12) - 1e-8, _minConfidence))
        {
            return null;
        }

        // The gate's smallest order, against the rule's share of the free funds (they only shrink before the entry).
        if (!_gate.ReachesMinimumOrder(RulesBrain.SizePercent, _balances.GetValueOrDefault(market.QuoteCurrency)))
        {
            return null;
        }

        var context = Context(open, tickers, now);
        if (!_gate.EntryPossible(_state, open.Count, false, 0m, context, market.Symbol))
        {
            return null;
        }

        ticker ??= market.Ticker(now, _exchange);

        // Too close to call or an entry: the live engine's own steps, exactly.
        var snapshot = MarketSnapshot.Create(ticker, new ArraySegment<Candle>(market.Candles, first, count), market.High.AsSpan(first, count), market.Low.AsSpan(first, count), market.Close.AsSpan(first, count));
        var portfolio = PortfolioReader.Create(market.Symbol, Balances(), open, _state);
        if (_gate.NoEntryPossible(_state, portfolio.OpenPositions, portfolio.HoldsSymbol, snapshot.Ticker.SpreadPercent, context, market.Symbol) is not null)
        {
            return null;
        }

        var proposal = Wait(_brain.ProposeAsync(new BrainRequest(snapshot, portfolio, TradingStrategy.Scalping) { Source = DecisionSource.Scan }, CancellationToken.None));
        var decision = _validator.Validate(proposal, snapshot, TradingStrategy.Scalping, DecisionSource.Scan, EntryPipeline.DecisionId(now), now);
        return decision.IsEntry ? decision : null;
    }

    /// <summary>
    /// <see cref="TradeDesk.EnterAsync"/>: the risk gate against fresh positions, balances and context, then the order; the
    /// executed decision and its position (none when the fill was booked as dust), or null for a hold (counted by number).
    /// </summary>
    private EntryResult? Enter(Market market, TradingDecision decision, Ticker ticker, Ticker?[] tickers, DateTimeOffset now)
    {
        if (TradeSteps.TooOld(decision, now, _scalping.MaxDecisionAge) is not null)
        {
            return null;
        }

        var open = _session.Positions.Open;
        var portfolio = PortfolioReader.Create(decision.Symbol, Balances(), open, _state);
        var verdict = TradeSteps.Gate(_gate, decision, _state, portfolio, ticker, Context(open, tickers, now)).Verdict;
        if (!verdict.Approved
            || !TradeSteps.TryEntryOrder(decision, ticker, verdict.Notional, _scalping.SizingBufferPercent, market.Info, market.Book(now, _exchange, decision.Side!.Value), out var request, out _)
            || Fill(market, request, now) is not { Filled: > 0m } order)
        {
            return null;
        }

        var (position, isDust) = TradeSteps.EntryFilled(decision, order, Fees(order), market.Info, ticker, now);
        if (isDust)
        {
            BookClosed(position, null, now, stillOpen: false);
            return new EntryResult(TradeDesk.Executed(decision, now), null, "booked as dust");
        }

        Wait(_session.Positions.SaveOpenAsync(position, CancellationToken.None));
        return new EntryResult(TradeDesk.Executed(decision, now), position, "opened");
    }

    /// <summary>The paper fill's charges valued as the desk values them (paper charges base or quote only).</summary>
    private static BookedFees Fees(Order order) =>
        order.Filled <= 0m ? BookedFees.None : FillBooking.Value(order.FeeCharges, MarketSymbol.Base(order.Symbol), MarketSymbol.Quote(order.Symbol), order.Average, static _ => null);

    /// <summary><see cref="TradeDesk.ExitAsync"/>: sells what is held (floored to the step), closes what filled, dust in the books, links the result to the decision.</summary>
    private Position? Exit(Position position, ExitReason reason, Ticker ticker, DateTimeOffset now)
    {
        var store = _session.Positions;
        var current = store.Open.FirstOrDefault(p => p.Id == position.Id);
        if (current is null)
        {
            return null;
        }

        var market = _bySymbol[current.Symbol];
        var mark = TradeSteps.Mark(current, ticker);
        if (TradeSteps.Unsellable(current, market.Info, mark, now) is { } dust)
        {
            BookClosed(dust, null, now, stillOpen: false);
            return dust;
        }

        var sellable = FillBooking.Sellable(market.Info, current.Amount, mark);
        if (Fill(market, new OrderRequest(current.Symbol, OrderType.Market, current.ExitSide, sellable, null, current.ExitClientOrderId), now) is not { } order
            || TradeSteps.ExitFilled(current, order, Fees(order), reason, now, market.Info, mark) is not var (done, remainder, dustRest))
        {
            return null;
        }

        if (remainder is not null)
        {
            Wait(store.SaveOpenAsync(remainder, CancellationToken.None));
        }

        BookClosed(done, dustRest, now, stillOpen: remainder is not null);
        return done;
    }

    /// <summary>The desk's booking of closed parts: stored, followed by the risk context, counted for the day, the decision's result when nothing stays open.</summary>
    private void BookClosed(Position done, Position? dust, DateTimeOffset now, bool stillOpen)
    {
        var store = _session.Positions;
        if (dust is not null)
        {
            Wait(store.CloseAsync(dust, CancellationToken.None));
            Follow(dust, now);
        }

        Wait(store.CloseAsync(done, CancellationToken.None));
        Follow(done, now);
        _state = _state.WithClosedTrade(TradeSteps.DayPnl(done, dust), now);
        if (!stillOpen)
        {
            var recent = TradeSteps.ResultNeedsParts(done, dust) ? ClosedRecently(now) : null;
            var (outcome, total) = TradeSteps.Result(done, dust, recent);
            Wait(_session.Decisions.RecordOutcomeAsync(done.Decision, outcome, total, CancellationToken.None));
            if (_session.Recorder is { } recorder)
            {
                Wait(recorder.RecordClosedAsync(done, OutcomeRecorder.PartsOf(done, dust, recent), CancellationToken.None));
            }
        }
    }

    /// <summary>
    /// An order through the paper exchange's own fill code and the modelled book, as the desk places it: a market order
    /// fills what the book takes, a limit order takes what crosses and the rest is cancelled at once (immediate-or-cancel).
    /// Null when the exchange would refuse it.
    /// </summary>
    private Order? Fill(Market market, OrderRequest request, DateTimeOffset now)
    {
        if (!market.HasData(now))
        {
            return null;
        }

        var next = new Dictionary<string, decimal>(_balances, StringComparer.Ordinal);
        Order order;
        try
        {
            var book = market.Book(now, _exchange, request.Side);
            order = request.Type == OrderType.Market
                ? PaperExchange.FillMarket(request, market.Info, book, next, _exchange, now)
                : PaperExchange.FillLimit(request, market.Info, book, next, _exchange, now);
            if (order.Status == OrderStatus.Open)
            {
                order = PaperExchange.Cancel(order, next, _exchange);
            }
        }
        catch (ExchangeException)
        {
            return null;
        }

        Wait(_session.Account.SaveOrdersAsync(next, [order], CancellationToken.None));
        _balances = next;
        return order;
    }

    private Balances Balances() =>
        new(_balances.ToDictionary(kv => kv.Key, kv => new Balance(kv.Value, 0m), StringComparer.Ordinal));

    /// <summary>Today's trades then yesterday's, newest first in each (what the trade desk reads), kept until a trade closes or the day turns.</summary>
    private List<Position> ClosedRecently(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var key = (_session.Positions.ClosedCount, today);
        if (_closedRecently is null || key != _closedRecentlyKey)
        {
            _closedRecently = [.. Wait(_session.Positions.GetClosedAsync(today, CancellationToken.None)), .. Wait(_session.Positions.GetClosedAsync(today.AddDays(-1), CancellationToken.None))];
            _closedRecentlyKey = key;
        }

        return _closedRecently;
    }

    /// <summary>
    /// Carries the closed-trade context over a trade that just closed (<see cref="RiskContext.After"/>) instead of
    /// rebuilding it from the day's trades; a trade at the same instant as the previous one, or a context from an older
    /// count or day, is left to be rebuilt.
    /// </summary>
    private void Follow(Position closed, DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var trades = _session.Positions.Closed;
        var previous = trades.Count > 1 ? trades[^2].ClosedAt : null;
        if (_flatContext is not null && _flatContextKey == (trades.Count - 1, day) && (previous is null || now > previous))
        {
            _flatContext = _flatContext.After(closed);
            _flatContextKey = (trades.Count, day);
        }
    }

    /// <summary>
    /// <see cref="TradeDesk.ReadRiskContextAsync"/>: <see cref="RiskContext.From"/> in its two parts, the closed-trade part
    /// built once per trade closed or day turned (it is most of the work) and the open positions' unrealized PnL added at
    /// each call.
    /// </summary>
    private RiskContext Context(IReadOnlyList<Position> open, Ticker?[] tickers, DateTimeOffset now)
    {
        var key = (_session.Positions.ClosedCount, DateOnly.FromDateTime(now.UtcDateTime));
        if (_flatContext is null || key != _flatContextKey)
        {
            _flatContext = RiskContext.FromClosed(now, ClosedRecently(now));
            _flatContextKey = key;
        }

        if (open.Count == 0)
        {
            return _flatContext.WithUnrealized(now, []);
        }

        var unrealized = new List<decimal?>(open.Count);
        foreach (var p in open)
        {
            var market = _bySymbol[p.Symbol];
            var i = Array.IndexOf(_markets, market);
            var ticker = tickers[i] ?? (market.HasData(now) ? tickers[i] = market.Ticker(now, _exchange) : null);
            unrealized.Add(ticker is null ? null : p.UnrealizedPnl(p.Side == PositionSide.Long ? ticker.Bid : ticker.Ask));
        }

        return _flatContext.WithUnrealized(now, unrealized);
    }

    /// <summary>The in-memory stores complete at once; this takes their result without an await.</summary>
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>One market's candles, as the replay of <see cref="BacktestMarketData"/> shows them, with double closes for the screens.</summary>
    private sealed class Market
    {
        private int _cursor = -1;
        private int _window;
        private SlidingIndicators? _full;

        public Market(CandleSeries series, MarketInfo info)
        {
            Series = series;
            Info = info;
            QuoteCurrency = MarketSymbol.Quote(series.Symbol);
            Candles = series.Candles as Candle[] ?? [.. series.Candles];
            Close = [.. Candles.Select(c => (double)c.Close)];
            High = [.. Candles.Select(c => (double)c.High)];
            Low = [.. Candles.Select(c => (double)c.Low)];
        }

        public CandleSeries Series { get; }

        public MarketInfo Info { get; }

        public string Symbol => Series.Symbol;

        public string QuoteCurrency { get; }

        public Candle[] Candles { get; }

        public double[] Close { get; }

        public double[] High { get; }

        public double[] Low { get; }

        /// <summary>Inside the span the backtest feed serves (outside it the market has no data).</summary>
        public bool HasData(DateTimeOffset now) => now >= Series.Start && now < Series.End;

        /// <summary>The replay's quote at the backtest clock's time (the full engine's feed reads the data at it too).</summary>
        public Ticker Ticker(DateTimeOffset now, PaperExchangeOptions options) => ReplayMarketData.Quote(Series, IndexAt(now), now, options);

        /// <summary>The paper exchange's modelled book at the backtest clock's time (what its order book read returns).</summary>
        public OrderBook Book(DateTimeOffset now, PaperExchangeOptions options, OrderSide side) => ReplayMarketData.ModelOrderBook(Ticker(now, options), options, null, side);

        /// <summary>The lowest price the in-candle path of the candle in force can quote at (all four prices, for data that is off).</summary>
        public double LowestPrice(DateTimeOffset now)
        {
            var candle = Candles[InForce(now)];
            return (double)Math.Min(Math.Min(candle.Low, candle.High), Math.Min(candle.Open, candle.Close));
        }

        /// <summary>The closed candles the scan's OHLCV read returns (<c>limit</c> newest), as first index and count.</summary>
        public (int First, int Count) Window(DateTimeOffset now, int limit)
        {
            var current = IndexAt(now);
            var lastClosed = Candles[current].OpenTime + Series.Interval <= now ? current : current - 1;
            var take = Math.Max(0, limit);
            if (lastClosed < 0)
            {
                return (0, 0);
            }

            var count = Math.Min(take, lastClosed + 1);
            return (Math.Max(0, lastClosed - take + 1), count);
        }

        /// <summary>
        /// EMA9, EMA21 and ATR14 in doubles over the window ending at <paramref name="first"/> + <paramref name="count"/> − 1:
        /// from the sliding tables for full windows, computed directly for the shorter ones at the start of the data.
        /// </summary>
        public (double EmaFast, double EmaSlow, double Atr) Screen(int first, int count)
        {
            var last = first + count - 1;
            return count == _window && _full is not null
                ? (_full.EmaFast[last], _full.EmaSlow[last], _full.Atr[last])
                : (Direct(Indicators.EmaOf(Close.AsSpan(first, count), MarketSnapshot.FastEmaPeriod)),
                    Direct(Indicators.EmaOf(Close.AsSpan(first, count), MarketSnapshot.SlowEmaPeriod)),
                    Direct(Indicators.AtrOf(High.AsSpan(first, count), Low.AsSpan(first, count), Close.AsSpan(first, count), MarketSnapshot.AtrPeriod)));

            static double Direct(double? value) => value ?? double.NaN;
        }

        /// <summary>Builds the sliding tables for windows of <paramref name="window"/> closed candles (the scan's OHLCV limit).</summary>
        public void PrepareScreens(int window)
        {
            _window = window;
            _full = window > MarketSnapshot.SlowEmaPeriod && Candles.Length >= window ? SlidingIndicators.Build(Close, High, Low, window) : null;
        }

        /// <summary>
        /// Whether the quote at any point of the candle in force at <paramref name="now"/> could reach the position's stop or
        /// target. The path's prices are the candle's open, high, low and close and the spread stays the same all candle
        /// (it depends on the last closed candle only; <see cref="ReplayMarketData.SpreadAt"/>), so the exit-side quote lies
        /// between the lowest and the highest of the four moved by half the spread, rounded as the quote rounds. False means
        /// only the hold time can close it in this candle.
        /// </summary>
        public bool MayReach(Position position, DateTimeOffset now, PaperExchangeOptions options)
        {
            var index = IndexAt(now);
            var candle = Candles[index];
            var low = Math.Min(Math.Min(candle.Low, candle.High), Math.Min(candle.Open, candle.Close));
            var high = Math.Max(Math.Max(candle.Low, candle.High), Math.Max(candle.Open, candle.Close));
            var half = ReplayMarketData.SpreadAt(Series, Series.LastClosed(index, now), options) / 2m;
            return position.Side == PositionSide.Long
                ? Quoted(low - half) <= position.StopLoss || Quoted(high - half) >= position.TakeProfit
                : Quoted(high + half) >= position.StopLoss || Quoted(low + half) <= position.TakeProfit;

            static decimal Quoted(decimal price) => Math.Round(price, 8, MidpointRounding.AwayFromZero);
        }

        /// <summary><see cref="CandleSeries.IndexAt"/> at the backtest clock's time, for a clock that only moves forward.</summary>
        public int InForce(DateTimeOffset now) => IndexAt(now);

        private int IndexAt(DateTimeOffset marketTime)
        {
            while (_cursor + 1 < Candles.Length && Candles[_cursor + 1].OpenTime <= marketTime)
            {
                _cursor++;
            }

            return Math.Max(_cursor, 0);
        }
    }
}
