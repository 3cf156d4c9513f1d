using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// Random scenarios against the real trade desk, exit rules and paper exchange (in-memory storage doubles): random
/// prices and gaps, thin books (partial fills), fees, hostile decisions sent straight to the desk (no validator in
/// front), duplicated decisions, toggles, the kill switch, restarts, and crashes between an order and its bookkeeping.
/// After every step the limits and the books must hold.
/// </summary>
public sealed class ScalpingScenarioTests
{
    private const int Scenarios = 10_000;
    private const decimal StartingBalance = 10_000m;

    [Fact]
    public void Limits_and_bookkeeping_hold_after_every_step_of_ten_thousand_random_scenarios()
    {
        var seen = new Coverage();
        Gen.Int.Sample(seed => new Scenario(seed, seen).RunAsync().GetAwaiter().GetResult(), iter: Scenarios);

        // The scenarios must actually reach the situations the invariants are about.
        var all = $"entries {seen.Entries} ({seen.BatchEntries} in batches), exits {seen.Exits}, partial {seen.PartialExits}, adopted {seen.Adopted}, daily loss {seen.DailyLossBlocks}, toggled off {seen.ToggledOffBlocks}, duplicates {seen.Duplicates}";
        Assert.True(seen.Entries > 4_000, all);
        Assert.True(seen.BatchEntries > 1_000, all);
        Assert.True(seen.Exits > 3_000, all);
        Assert.True(seen.PartialExits > 50, all);
        Assert.True(seen.Adopted > 50, all);
        Assert.True(seen.DailyLossBlocks > 20, all);
        Assert.True(seen.ToggledOffBlocks > 100, all);
        Assert.True(seen.Duplicates > 100, all);
    }

    internal sealed class Coverage
    {
        public int Entries;
        public int Exits;
        public int PartialExits;
        public int Adopted;
        public int DailyLossBlocks;
        public int ToggledOffBlocks;
        public int Duplicates;
        public int BatchEntries;
    }

    [Fact]
    public async Task A_duplicated_decision_opens_one_position()
    {
        var scenario = new Scenario(1);
        var decision = scenario.SaneBuy("BTC/USDT", "dup-1");

        var first = await scenario.EnterAsync(decision);
        var second = await scenario.EnterAsync(decision);

        Assert.NotNull(first.Opened);
        Assert.Null(second.Opened);
        Assert.Single(await scenario.Positions.GetOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Kill_switch_on_a_thin_book_closes_what_filled_and_keeps_the_rest_open_under_a_new_id()
    {
        var scenario = new Scenario(4);
        var opened = (await scenario.EnterAsync(scenario.SaneBuy("BTC/USDT", "thin-1"))).Opened!;
        scenario.Market.LevelAmountQuote = opened.EntryNotional / 10m; // five levels hold about half the position

        var closed = Assert.Single(await scenario.Desk.CloseAllAsync(ExitReason.KillSwitch, CancellationToken.None));

        var rest = Assert.Single(await scenario.Positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(opened.Id, closed.Id);
        Assert.Equal(ExitReason.KillSwitch, closed.ExitReason);
        Assert.True(closed.Amount < opened.Amount);
        Assert.Equal($"{opened.Id}-r1", rest.Id);
        Assert.Equal(opened.Amount, closed.Amount + rest.Amount);
        Assert.Equal(opened.EntryFee, closed.EntryFee + rest.EntryFee);
        await scenario.AssertInvariantsAsync(0, true);
    }

    [Fact]
    public async Task A_limit_entry_below_the_ask_is_not_sent_because_nothing_in_the_book_crosses_it()
    {
        var scenario = new Scenario(5);
        var below = scenario.SaneBuy("BTC/USDT", "limit-1") with { OrderType = OrderType.Limit, EntryPrice = Math.Round(scenario.Market.Mid("BTC/USDT") * 0.995m, 2) };

        var result = await scenario.EnterAsync(below);

        Assert.Null(result.Opened);
        // Sized to the book before sending: no ask is at or under the limit, so no order (and no resting order) at all.
        Assert.Contains("the book cannot fill the minimum order now", result.Decision.HoldReason, StringComparison.Ordinal);
        Assert.Empty(await scenario.OpenOrdersAsync());
        await scenario.AssertInvariantsAsync(0, true);
    }

    [Fact]
    public async Task A_limit_entry_at_the_ask_fills_at_or_better_than_its_limit()
    {
        var scenario = new Scenario(6);
        var mid = scenario.Market.Mid("BTC/USDT");
        var atAsk = scenario.SaneBuy("BTC/USDT", "limit-2") with { OrderType = OrderType.Limit, EntryPrice = Math.Round(mid * 1.001m, 2) };

        var opened = (await scenario.EnterAsync(atAsk)).Opened;

        Assert.NotNull(opened);
        Assert.True(opened.EntryPrice <= atAsk.EntryPrice, $"filled at {opened.EntryPrice} above the limit {atAsk.EntryPrice}");
        Assert.Empty(await scenario.OpenOrdersAsync());
    }

    [Fact]
    public async Task A_batch_enters_what_one_by_one_entries_would_when_an_earlier_entry_leaves_its_slot_unused()
    {
        // One slot. The batch reserves it for BTC (first), and ETH finds none. BTC's confidence is below the minimum, so the
        // gate refuses it: entered one by one, ETH would then take the slot, and so it must in the batch.
        var scenario = new Scenario(7);
        scenario.Settings.MaxPositions = 1;

        // The close in between loses the spread and fees: no daily-loss stop or loss-streak pause in this test's way.
        scenario.Settings.MaxDailyLoss = 1_000m;
        scenario.Settings.MaxConsecutiveLosses = 0;
        var weak = scenario.SaneBuy("BTC/USDT", "weak-1") with { Confidence = 0.2m };
        var eth = scenario.SaneBuy("ETH/USDT", "eth-1");

        var results = await scenario.EnterBatchAsync([weak, eth]);

        Assert.Null(results[0].Opened);
        Assert.Contains("confidence", results[0].Decision.HoldReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ETH/USDT", results[1].Opened?.Symbol);
        Assert.Equal("eth-1", Assert.Single(await scenario.Positions.GetOpenAsync(CancellationToken.None)).DecisionId);

        // Every slot of the batch went back: once ETH is closed, a new BTC entry finds the one slot free.
        Assert.NotNull(await scenario.Desk.ExitAsync(results[1].Opened!, ExitReason.Manual, CancellationToken.None));
        var again = await scenario.EnterAsync(scenario.SaneBuy("BTC/USDT", "btc-2"));
        Assert.True(again.Opened is not null, again.Decision.HoldReason);
    }

    [Fact]
    public async Task A_batch_never_opens_beyond_the_max_nor_twice_in_a_symbol()
    {
        var scenario = new Scenario(8);
        scenario.Settings.MaxPositions = 2;

        var results = await scenario.EnterBatchAsync(
            [scenario.SaneBuy("BTC/USDT", "b-1"), scenario.SaneBuy("BTC/USDT", "b-2"), scenario.SaneBuy("ETH/USDT", "e-1")]);

        Assert.Equal(["b-1", "e-1"], results.Where(r => r.Opened is not null).Select(r => r.Decision.Id));
        Assert.Contains("BTC/USDT", results[1].Decision.HoldReason, StringComparison.Ordinal);
        Assert.Equal(2, (await scenario.Positions.GetOpenAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_decision_older_than_the_max_age_is_not_executed()
    {
        var scenario = new Scenario(3);
        var decision = scenario.SaneBuy("BTC/USDT", "old-1");
        scenario.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var result = await scenario.EnterAsync(decision);

        Assert.Null(result.Opened);
        Assert.Contains("MaxDecisionAge", result.Decision.HoldReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_the_entry_fill_is_reconciled_into_one_position_on_restart()
    {
        var scenario = new Scenario(2);
        scenario.Positions.FailNextSave = true;

        await Assert.ThrowsAsync<IOException>(() => scenario.EnterAsync(scenario.SaneBuy("ETH/USDT", "crash-1")));
        Assert.Empty(await scenario.Positions.GetOpenAsync(CancellationToken.None));
        scenario.Restart();
        var found = await scenario.ReconcileAsync();

        var adopted = Assert.Single(await scenario.Positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal("crash-1", adopted.DecisionId);
        Assert.Contains(found, f => f.StartsWith("adopted long", StringComparison.Ordinal));
        await scenario.AssertInvariantsAsync(0, true);
        Assert.Empty(await scenario.ReconcileAsync());
    }

    /// <summary>One random scenario: its own clock, market, account, stores and profile.</summary>
    internal sealed class Scenario
    {
        private readonly Random _rnd;
        private readonly int _seed;
        private readonly FakeTimeProvider _time;
        private readonly ScenarioMarket _market;
        private readonly RecordingPaperAccountStore _account = new();
        private readonly InMemoryStateStore _state;
        private readonly InMemoryDecisionStore _decisions = new();
        private readonly NeuraTrade.Backtesting.InMemoryScanClaimStore _claims = new();
        private readonly NeuraTrade.Backtesting.InMemoryAccountBaselineStore _baseline = new();
        private readonly IOptions<ScalpingOptions> _options;
        private readonly HashSet<string> _seenOpen = new(StringComparer.Ordinal);
        private PaperExchange _exchange = null!;
        private TradeDesk _desk = null!;
        private ScalpingEngine _engine = null!;
        private readonly Coverage _coverage;
        private int _closedSeen;
        private TradingDecision? _last;

        public Scenario(int seed, Coverage? coverage = null)
        {
            _seed = seed;
            _coverage = coverage ?? new Coverage();
            _rnd = new Random(seed);
            _time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 20, 0, 0, TimeSpan.Zero).AddMinutes(_rnd.Next(0, 600)));
            _market = new ScenarioMarket(_time);
            var options = new ScalpingOptions { Symbols = ScenarioMarket.All };
            ScalpingProfiles.Apply(options, ScalpingProfiles.Names[_rnd.Next(ScalpingProfiles.Names.Count)]);
            options.AllowShort = _rnd.Next(2) == 0;
            options.TrailingStopPercent = _rnd.Next(3) == 0 ? 0.3m : 0m;
            options.BreakEvenTriggerPercent = _rnd.Next(3) == 0 ? 0.2m : 0m;
            options.MaxConsecutiveLosses = _rnd.Next(0, 5);
            options.MinConfidence = 0.5m;
            decimal[] dailyLoss = [0.5m, 2m, 5m, options.MaxDailyLoss];
            options.MaxDailyLoss = dailyLoss[_rnd.Next(dailyLoss.Length)];
            _options = Options.Create(options);
            _state = new InMemoryStateStore(ScalpingState.Initial(true, _time.GetUtcNow()));
            Restart();
        }

        public InMemoryPositionStore Positions { get; } = new();

        private ScalpingOptions Limits => _options.Value;

        public void Advance(TimeSpan by) => _time.Advance(by);

        public ScenarioMarket Market => _market;

        public Task<IReadOnlyList<Order>> OpenOrdersAsync() => _exchange.FetchOpenOrdersAsync(null, CancellationToken.None);

        public TradeDesk Desk => _desk;

        public void Restart()
        {
            var paper = Options.Create(new PaperExchangeOptions { StartingBalance = StartingBalance, TakerFeePercent = _rnd.Next(0, 3) * 0.05m });
            _exchange = new PaperExchange(_market, _account, paper, _time, NullLogger<PaperExchange>.Instance);
            var gate = new RiskGate(_options);
            _desk = new TradeDesk(_exchange, gate, _decisions, Positions, _state, _claims, _options, _time, NullLogger<TradeDesk>.Instance, new NeuraTrade.Backtesting.InMemoryEntryAdmission(Positions), new NeuraTrade.Core.Trading.AccountValuation(_exchange, "USDT"));
            var brainOptions = Options.Create(new BrainOptions());
            var entries = new EntryPipeline(_exchange, new DecisionValidator(brainOptions), new EntryReview(null), _desk, new PortfolioReader(_exchange, Positions, _state, _time), _decisions, brainOptions, NullLogger<EntryPipeline>.Instance);
            var maker = new DecisionMaker(new NeverAskedBrain(), entries, _decisions, brainOptions, _time, NullLogger<DecisionMaker>.Instance);
            var books = new LiveBooks(_exchange, Positions, _baseline, _options, _time, NullLogger<LiveBooks>.Instance, TimeSpan.FromSeconds(10));
            _engine = new ScalpingEngine(_exchange, maker, _desk, entries, gate, Positions, _state, _claims, books, _options, brainOptions, _time, NullLogger<ScalpingEngine>.Instance);
        }

        public Task<IReadOnlyList<string>> ReconcileAsync() =>
            new PositionReconciler(_exchange, Positions, _options, _time, NullLogger.Instance).ReconcileAsync(ScenarioMarket.All, CancellationToken.None);

        public ScalpingOptions Settings => _options.Value;

        /// <summary>Enters <paramref name="decisions"/> as a scan does: their slots reserved in one step, released in one.</summary>
        public async Task<IReadOnlyList<EntryResult>> EnterBatchAsync(IReadOnlyList<TradingDecision> decisions)
        {
            var batch = await _desk.AdmitAsync(decisions, CancellationToken.None);
            var results = new List<EntryResult>(decisions.Count);
            try
            {
                foreach (var decision in decisions)
                {
                    results.Add(await EnterAsync(decision, batch));
                    Interlocked.Add(ref _coverage.BatchEntries, results[^1].Opened is null ? 0 : 1);
                }
            }
            finally
            {
                await _desk.ReleaseAsync(batch);
            }

            return results;
        }

        public async Task<EntryResult> EnterAsync(TradingDecision decision, EntryBatch? batch = null)
        {
            var result = await _desk.EnterAsync(decision, await _exchange.FetchTickerAsync(decision.Symbol, CancellationToken.None), CancellationToken.None, batch: batch);
            var why = result.Decision.HoldReason ?? string.Empty;
            Interlocked.Add(ref _coverage.Entries, result.Opened is null ? 0 : 1);
            Interlocked.Add(ref _coverage.DailyLossBlocks, why.Contains("daily loss limit", StringComparison.Ordinal) ? 1 : 0);
            Interlocked.Add(ref _coverage.ToggledOffBlocks, why.Contains("toggled off", StringComparison.Ordinal) ? 1 : 0);
            Interlocked.Add(ref _coverage.Duplicates, why.Contains("already executed", StringComparison.Ordinal) ? 1 : 0);
            return result;
        }

        public TradingDecision SaneBuy(string symbol, string id)
        {
            var mid = _market.Mid(symbol);
            return Decision(id, symbol, TradeAction.Buy, OrderSide.Buy, 50m, null, Math.Round(mid * 0.99m, 2), Math.Round(mid * 1.01m, 2), 0.9m);
        }

        public async Task RunAsync()
        {
            var steps = _rnd.Next(10, 31);
            for (var step = 0; step < steps; step++)
            {
                var before = await _state.GetAsync(CancellationToken.None);
                var dayLossBefore = DayRealized(_time.GetUtcNow());
                await StepAsync(step);
                await AssertInvariantsAsync(step, before.Active && dayLossBefore > -Limits.MaxDailyLoss);
            }
        }

        public async Task AssertInvariantsAsync(int step, bool entryAllowed)
        {
            var where = $"seed {_seed}, step {step}";
            var open = await Positions.GetOpenAsync(CancellationToken.None);
            var closed = Positions.AllClosed;
            Assert.True(open.Count <= Limits.MaxPositions, $"{where}: {open.Count} open > {Limits.MaxPositions}");
            foreach (var p in open)
            {
                Assert.True(p.EntryNotional <= Limits.MaxPositionSize, $"{where}: {p.Id} notional {p.EntryNotional} > {Limits.MaxPositionSize}");
                Assert.True(p.Amount > 0m, $"{where}: {p.Id} has no amount");
            }

            var closedNow = closed.Count - _closedSeen;
            _closedSeen = closed.Count;
            Interlocked.Add(ref _coverage.Exits, closedNow);
            Interlocked.Add(ref _coverage.PartialExits, open.Count(p => p.Id.Contains("-r", StringComparison.Ordinal) && _seenOpen.Add(p.Id)));
            var entered = open.Where(p => !p.Id.Contains("-r", StringComparison.Ordinal) && _seenOpen.Add(p.Id)).ToList();
            Assert.True(entered.Count == 0 || entryAllowed, $"{where}: entered {string.Join(",", entered.Select(p => p.Id))} while toggled off or past the daily loss limit");

            // No position counted twice: each closed piece once, never both open and closed.
            Assert.Equal(closed.Count, closed.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count());
            var both = open.Select(p => p.Id).Intersect(closed.Select(p => p.Id), StringComparer.Ordinal).ToList();
            Assert.True(both.Count == 0, $"{where}: {string.Join(",", both)} both open and closed; closed: {string.Join(" | ", closed.Select(p => $"{p.Id} {p.Amount} {p.ExitReason} {p.ClosedAt:O}"))}; open: {string.Join(" | ", open.Select(p => $"{p.Id} {p.Amount}"))}");

            // Equity bookkeeping: the account's cash and coins are exactly what the positions and trades say. The paper
            // account charges fees as Binance spot does (a buy's in the base asset received), so a long holds its fill
            // less that fee, dust stays in the account, and a short's buy-back pays its fee in coins.
            var balances = await _exchange.FetchBalanceAsync(CancellationToken.None);
            var realized = closed.Sum(p => p.RealizedPnl!.Value);
            var dust = closed.Where(p => p.ExitReason == ExitReason.Dust).ToList();
            var shortExitCoinFees = closed.Where(p => p.Side == PositionSide.Short && p.ExitReason != ExitReason.Dust)
                .Select(p => (p.Symbol, Coins: FeeCharge.In(p.ExitCharges, p.Base), Value: FeeCharge.In(p.ExitCharges, p.Base) * p.ExitPrice!.Value)).ToList();
            var expectedCash = StartingBalance + realized
                - dust.Sum(p => p.Amount * p.ExitPrice!.Value)
                + shortExitCoinFees.Sum(f => f.Value)
                - open.Where(p => p.Side == PositionSide.Long).Sum(p => p.EntryNotional + p.EntryFee)
                + open.Where(p => p.Side == PositionSide.Short).Sum(p => p.EntryNotional - p.EntryFee);
            // Exact for market fills; a limit order filled while resting reports its average price rounded to 8 places
            // (as venues do), so amount × average can differ from the cash moved by less than a millionth of a USDT.
            Assert.True(Math.Abs(Total(balances, "USDT") - expectedCash) < 0.000001m, $"{where}: cash {Total(balances, "USDT")} != {expectedCash}");
            foreach (var symbol in ScenarioMarket.All)
            {
                var coins = open.Where(p => p.Symbol == symbol).Sum(p => p.Side == PositionSide.Long ? p.Amount : -p.Amount)
                    + dust.Where(p => p.Symbol == symbol).Sum(p => p.Side == PositionSide.Long ? p.Amount : -p.Amount)
                    - shortExitCoinFees.Where(f => f.Symbol == symbol).Sum(f => f.Coins);
                Assert.True(Total(balances, MarketSymbol.Base(symbol)) == coins, $"{where}: {symbol} holdings {Total(balances, MarketSymbol.Base(symbol))} != {coins}");
            }

            var state = await _state.GetAsync(CancellationToken.None);
            Assert.True(state.TotalRealizedPnl == realized, $"{where}: state total {state.TotalRealizedPnl} != trades {realized}");
            var today = state.On(_time.GetUtcNow()).DailyRealizedPnl;
            Assert.True(today == DayRealized(_time.GetUtcNow()), $"{where}: state today {today} != today's trades {DayRealized(_time.GetUtcNow())}");
        }

        private static decimal Total(Balances balances, string currency) =>
            balances.ByCurrency.TryGetValue(currency, out var b) ? b.Total : 0m;

        private decimal DayRealized(DateTimeOffset now)
        {
            var day = DateOnly.FromDateTime(now.UtcDateTime);
            return Positions.AllClosed.Where(p => DateOnly.FromDateTime(p.ClosedAt!.Value.UtcDateTime) == day).Sum(p => p.RealizedPnl!.Value);
        }

        private async Task StepAsync(int step)
        {
            var ct = CancellationToken.None;
            var roll = _rnd.Next(100);
            switch (roll)
            {
                case < 30:
                    MovePrice();
                    break;
                case < 42:
                    _time.Advance(_rnd.Next(10) == 0 ? TimeSpan.FromHours(_rnd.Next(1, 30)) : TimeSpan.FromSeconds(_rnd.Next(1, 600)));
                    break;
                case < 62:
                    await EnterAsync(_last is not null && _rnd.Next(5) == 0 ? _last : (_last = RandomDecision(step)));
                    break;
                case < 72:
                    // A scan's entries: admitted together, entered one by one, released together.
                    await EnterBatchAsync(Enumerable.Range(0, _rnd.Next(1, 4)).Select(k => _last is not null && _rnd.Next(5) == 0 ? _last : (_last = RandomDecision((step * 10) + k))).ToList());
                    break;
                case < 84:
                    await _engine.CheckPositionsAsync(ct);
                    break;
                case < 87:
                    if (await AnyOpenAsync() is { } manual)
                    {
                        await _desk.ExitAsync(manual, ExitReason.Manual, ct);
                    }

                    break;
                case < 90:
                    await _state.UpdateAsync(s => s with { Active = _rnd.Next(3) != 0 }, ct);
                    break;
                case < 92:
                    await _state.UpdateAsync(s => s with { Active = false }, ct);
                    await _desk.CloseAllAsync(ExitReason.KillSwitch, ct);
                    break;
                case < 95:
                    Restart();
                    break;
                case < 98:
                    Positions.FailNextSave = true;
                    try
                    {
                        await EnterAsync(RandomDecision(step));
                    }
                    catch (IOException)
                    {
                    }

                    Positions.FailNextSave = false;
                    Restart();
                    Interlocked.Add(ref _coverage.Adopted, (await ReconcileAsync()).Count(f => f.StartsWith("adopted", StringComparison.Ordinal)));
                    break;
                default:
                    if (await AnyOpenAsync() is { } crashing)
                    {
                        Positions.FailNextClose = true;
                        try
                        {
                            await _desk.ExitAsync(crashing, ExitReason.Manual, ct);
                        }
                        catch (IOException)
                        {
                        }

                        Positions.FailNextClose = false;
                        Restart();
                        if ((await Positions.GetOpenAsync(ct)).FirstOrDefault(p => p.Id == crashing.Id) is { } again)
                        {
                            await _desk.ExitAsync(again, ExitReason.Manual, ct);
                        }
                    }

                    break;
            }
        }

        private async Task<Position?> AnyOpenAsync()
        {
            var open = await Positions.GetOpenAsync(CancellationToken.None);
            return open.Count == 0 ? null : open[_rnd.Next(open.Count)];
        }

        private void MovePrice()
        {
            var symbol = ScenarioMarket.All[_rnd.Next(ScenarioMarket.All.Length)];
            var move = _rnd.Next(20) == 0 ? (_rnd.Next(-800, 801) / 10_000m) : (_rnd.Next(-40, 41) / 10_000m);
            var mid = Math.Max(1m, Math.Round(_market.Mid(symbol) * (1m + move), 2));
            _market.Set(symbol, mid, _rnd.Next(1, 50) / 100m);
            _market.LevelAmountQuote = _rnd.Next(4) switch { 0 => 15m, 1 => 60m, _ => 5_000m };
        }

        private TradingDecision RandomDecision(int step)
        {
            var symbol = ScenarioMarket.All[_rnd.Next(ScenarioMarket.All.Length)];
            var mid = _market.Mid(symbol);
            var buy = _rnd.Next(4) != 0;
            var action = _rnd.Next(20) switch { 0 => TradeAction.Hold, 1 => TradeAction.Close, _ => buy ? TradeAction.Buy : TradeAction.Sell };
            decimal[] sizes = [-5m, 0m, 1m, 10m, 50m, 100m, 150m, 1_000m];
            var size = sizes[_rnd.Next(sizes.Length)];
            decimal? stop, target;
            if (_rnd.Next(10) < 8)
            {
                var s = mid * _rnd.Next(20, 300) / 10_000m;
                var t = mid * _rnd.Next(5, 300) / 10_000m;
                stop = Math.Round(buy ? mid - s : mid + s, 2);
                target = Math.Round(buy ? mid + t : mid - t, 2);
            }
            else
            {
                // Hostile: missing, negative, or on the wrong side.
                decimal?[] wild = [null, -1m, 0m, mid * 2m, mid / 2m, mid];
                stop = wild[_rnd.Next(wild.Length)];
                target = wild[_rnd.Next(wild.Length)];
            }

            decimal? entry = _rnd.Next(3) == 0 ? Math.Round(mid * _rnd.Next(990, 1011) / 1_000m, 2) : null;
            var orderType = entry is not null && _rnd.Next(2) == 0 ? OrderType.Limit : OrderType.Market;
            return orderType == OrderType.Limit ? LimitDecision(step, symbol, action, buy, size, entry, stop, target) : Decision($"d{_seed}-{step}-{_rnd.Next()}", symbol, action, action is TradeAction.Buy or TradeAction.Sell ? (buy ? OrderSide.Buy : OrderSide.Sell) : null,
                size, entry, stop, target, _rnd.Next(30, 101) / 100m);
        }

        private TradingDecision LimitDecision(int step, string symbol, TradeAction action, bool buy, decimal size, decimal? entry, decimal? stop, decimal? target) =>
            Decision($"l{_seed}-{step}-{_rnd.Next()}", symbol, action, action is TradeAction.Buy or TradeAction.Sell ? (buy ? OrderSide.Buy : OrderSide.Sell) : null,
                size, entry, stop, target, _rnd.Next(30, 101) / 100m) with { OrderType = OrderType.Limit };

        private TradingDecision Decision(string id, string symbol, TradeAction action, OrderSide? side, decimal size, decimal? entry, decimal? stop, decimal? target, decimal confidence) =>
            new(id, symbol, TradingStrategy.Scalping, action, side, size, entry, stop, target, confidence, "scenario", "scenario", "scenario", "scenario", 0,
                _time.GetUtcNow(), DecisionSource.Scan, _market.Mid(symbol));
    }
}
