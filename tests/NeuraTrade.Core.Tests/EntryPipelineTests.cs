using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// Every entry path (an HTTP decision with <c>execute:true</c>, the model's <c>place_order</c>, a scan) takes the same
/// steps through <see cref="EntryPipeline"/>: validation, then the AI review, then the risk gate and the order, and the
/// final decision is journaled exactly once.
/// </summary>
public sealed class EntryPipelineTests
{
    public enum EntryPath
    {
        HttpDecision,
        PlaceOrderTool,
        Scan,
    }

    private const string Btc = "BTC/USDT";
    private const string Eth = "ETH/USDT";
    private const decimal Ask = 50_005m;
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly MarketInfo BtcMarket = new(Btc, "BTCUSDT", "BTC", "USDT", true, 0.00001m, 0.01m, 0.00001m, 9000m, 5m);
    private static readonly Ticker Quote = new(Btc, T0, 49_995m, Ask, 50_000m, 50_500m, 49_500m, 1_000m);

    /// <summary>A long 1% below and 1.5% above the ask: valid, and well clear of the round-trip cost.</summary>
    private static readonly Proposal SaneLong = new(Ask * 0.99m, Ask * 1.015m, 0.9m);

    [Theory]
    [InlineData(EntryPath.HttpDecision)]
    [InlineData(EntryPath.PlaceOrderTool)]
    [InlineData(EntryPath.Scan)]
    public async Task A_blocking_review_holds_the_entry_on_every_path(EntryPath path)
    {
        using var desk = new EntryDesk(RiskReview.Block, SaneLong);

        var decision = await desk.EnterAsync(path);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("risk review blocked: three losses in a row", decision.HoldReason);
        Assert.Equal("buy", decision.ProposedAction);
        Assert.Equal(RiskReview.Block, decision.Review?.Verdict);
        desk.Reviewer.Verify(r => r.ReviewAsync(It.Is<TradingDecision>(d => d.IsEntry), It.IsAny<MarketSnapshot>(), It.IsAny<PortfolioSnapshot>(), It.IsAny<CancellationToken>()), Times.Once);
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Empty(await desk.Positions.GetOpenAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(EntryPath.HttpDecision)]
    [InlineData(EntryPath.PlaceOrderTool)]
    [InlineData(EntryPath.Scan)]
    public async Task An_invalid_proposal_is_held_by_the_validator_before_any_review(EntryPath path)
    {
        using var desk = new EntryDesk(RiskReview.Approve, SaneLong with { Stop = Ask * 1.01m });

        var decision = await desk.EnterAsync(path);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.StartsWith("a long needs stop_loss < entry_price < take_profit", decision.HoldReason, StringComparison.Ordinal);
        Assert.Null(decision.Review);
        desk.Reviewer.VerifyNoOtherCalls();
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData(EntryPath.HttpDecision)]
    [InlineData(EntryPath.PlaceOrderTool)]
    [InlineData(EntryPath.Scan)]
    public async Task A_reviewed_entry_still_meets_the_risk_gate(EntryPath path)
    {
        // Valid for the validator, approved by the reviewer, but a target 0.05% away cannot pay the round trip.
        using var desk = new EntryDesk(RiskReview.Approve, SaneLong with { Target = Ask * 1.0005m });

        var decision = await desk.EnterAsync(path);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.StartsWith("risk gate: net edge", decision.HoldReason, StringComparison.Ordinal);
        Assert.Equal(RiskReview.Approve, decision.Review?.Verdict);
        desk.Reviewer.Verify(r => r.ReviewAsync(It.IsAny<TradingDecision>(), It.IsAny<MarketSnapshot>(), It.IsAny<PortfolioSnapshot>(), It.IsAny<CancellationToken>()), Times.Once);
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData(EntryPath.HttpDecision)]
    [InlineData(EntryPath.PlaceOrderTool)]
    [InlineData(EntryPath.Scan)]
    public async Task A_reduced_entry_is_placed_at_the_reviewed_size_and_journaled_executed_once(EntryPath path)
    {
        using var desk = new EntryDesk(RiskReview.Reduce, SaneLong);

        var decision = await desk.EnterAsync(path);

        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.NotNull(decision.ExecutedAt);
        Assert.Equal(DecisionOutcome.Pending, decision.Outcome);
        Assert.Equal(5m, decision.SizePercent);
        var position = Assert.Single(await desk.Positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(decision.Id, position.DecisionId);

        // 5% (the reviewed size) of 1,000 USDT free is a 50 USDT order (less the sizing buffer), under Scalping:MaxPositionSize 100.
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.Is<OrderRequest>(r => r.Amount * Ask <= 50m && r.Amount * Ask > 49m), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task An_executed_arbitrage_decision_is_refused_by_the_desk_and_opens_no_scalping_long()
    {
        // The brain proposes the sane long; with strategy arbitrage the single-venue desk must not carry it out.
        using var desk = new EntryDesk(RiskReview.Approve, SaneLong);

        var decision = await desk.DecideAsync(TradingStrategy.Arbitrage, execute: true);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal(TradingStrategy.Arbitrage, decision.Strategy);
        Assert.Equal(TradeDesk.Refuses(TradingStrategy.Arbitrage), decision.HoldReason);
        Assert.StartsWith("not executed: the trade desk opens single-venue positions", decision.HoldReason, StringComparison.Ordinal);
        Assert.Equal("buy", decision.ProposedAction);
        Assert.Null(decision.ExecutedAt);
        Assert.Equal(decision, Assert.Single(desk.Journal.Written));
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Empty(await desk.Positions.GetOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Check_risk_is_reviewed_like_an_order_and_journals_nothing()
    {
        using var desk = new EntryDesk(RiskReview.Block, SaneLong);

        var answer = await desk.CallToolAsync("check_risk", SaneLong, withReasoning: false);

        Assert.False(answer.GetProperty("approved").GetBoolean());
        Assert.Equal("risk review blocked: three losses in a row", answer.GetProperty("reason").GetString());
        desk.Reviewer.Verify(r => r.ReviewAsync(It.IsAny<TradingDecision>(), It.IsAny<MarketSnapshot>(), It.IsAny<PortfolioSnapshot>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Empty(desk.Journal.Written);
        desk.Exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_scan_journals_its_holds_in_one_batch()
    {
        using var desk = new EntryDesk(RiskReview.Block, SaneLong, symbols: [Btc, Eth]);

        await desk.EnterAsync(EntryPath.Scan);

        // BTC held by the review; ETH by the validator (the brain's BTC barriers make no sense at 3,000): one batch write.
        var batch = Assert.Single(desk.Journal.Writes);
        Assert.Equal([Btc, Eth], batch.Select(d => d.Symbol));
        Assert.All(batch, d => Assert.Equal(TradeAction.Hold, d.Action));
    }

    /// <summary>Stop, target and confidence of a long the brain or the model proposes at the ask, 10% of free balance.</summary>
    private sealed record Proposal(decimal Stop, decimal Target, decimal Confidence);

    /// <summary>
    /// The entry use case wired as the hosts wire it, over a stand-in exchange (BTC/USDT at 50,000, 1,000 USDT free, a deep
    /// book, orders fill in full) and in-memory stores, with a Moq reviewer that answers <c>verdict</c>.
    /// </summary>
    private sealed class EntryDesk : IDisposable
    {
        private readonly Proposal _proposal;
        private readonly DecisionMaker _maker;
        private readonly ToolRegistry _tools;
        private readonly ScalpingEngine _engine;
        private readonly TradeDesk _desk;

        public EntryDesk(string verdict, Proposal proposal, string[]? symbols = null)
        {
            _proposal = proposal;
            var time = new FakeTimeProvider(T0);
            // Every path must reach the brain here: the economy screen in front of it has its own tests (MarketScreenTests).
            var scalping = Options.Create(new ScalpingOptions { Symbols = symbols ?? [Btc], MaxPositionSize = 100m, Screen = false });
            var brainOptions = Options.Create(new BrainOptions { ExecutionTools = true });
            var state = new InMemoryStateStore(ScalpingState.Initial(true, T0));
            var claims = new InMemoryScanClaimStore();
            var gate = new RiskGate(scalping);
            Reviewer.Setup(r => r.ReviewAsync(It.IsAny<TradingDecision>(), It.IsAny<MarketSnapshot>(), It.IsAny<PortfolioSnapshot>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync(new RiskReview(verdict, verdict == RiskReview.Reduce ? 0.5m : verdict == RiskReview.Approve ? 1m : 0m, "three losses in a row", "reviewer", null));
            StandIn(Exchange);

            _desk = new TradeDesk(Exchange.Object, gate, Journal, Positions, state, claims, scalping, time, NullLogger<TradeDesk>.Instance, new InMemoryEntryAdmission(Positions), new AccountValuation(Exchange.Object, "USDT"));
            var entries = new EntryPipeline(Exchange.Object, new DecisionValidator(brainOptions), new EntryReview(Reviewer.Object), _desk, new PortfolioReader(Exchange.Object, Positions, state, time), Journal, brainOptions, NullLogger<EntryPipeline>.Instance);
            _maker = new DecisionMaker(new ProposingBrain(proposal), entries, Journal, brainOptions, time, NullLogger<DecisionMaker>.Instance);
            _tools = new TradingToolbox(Exchange.Object, Positions, state, _desk, entries, scalping, brainOptions, time).CreateRegistry();
            var books = new LiveBooks(Exchange.Object, Positions, new InMemoryAccountBaselineStore(), scalping, time, NullLogger<LiveBooks>.Instance, TimeSpan.FromSeconds(10));
            _engine = new ScalpingEngine(Exchange.Object, _maker, _desk, entries, gate, Positions, state, claims, books, scalping, brainOptions, time, NullLogger<ScalpingEngine>.Instance);
        }

        public Mock<IExchange> Exchange { get; } = new(MockBehavior.Loose);

        public Mock<IRiskReviewer> Reviewer { get; } = new(MockBehavior.Strict);

        public RecordingJournal Journal { get; } = new();

        public InMemoryPositionStore Positions { get; } = new();

        /// <summary>Proposes the entry on <paramref name="path"/>; returns the decision journaled for BTC/USDT, asserting it was journaled once.</summary>
        public async Task<TradingDecision> EnterAsync(EntryPath path)
        {
            switch (path)
            {
                case EntryPath.HttpDecision:
                    var returned = await _maker.DecideAndEnterAsync(Btc, TradingStrategy.Scalping, DecisionSource.Api, execute: true, CancellationToken.None);
                    Assert.Equal(returned, Assert.Single(Journal.Written));
                    break;
                case EntryPath.PlaceOrderTool:
                    var answer = await CallToolAsync("place_order", _proposal, withReasoning: true);
                    Assert.Equal(Assert.Single(Journal.Written).Id, answer.GetProperty("decision_id").GetString());
                    break;
                default:
                    await _engine.RunScanAsync(CancellationToken.None);
                    break;
            }

            return Assert.Single(Journal.Written, d => d.Symbol == Btc);
        }

        public Task<TradingDecision> DecideAsync(TradingStrategy strategy, bool execute) =>
            _maker.DecideAndEnterAsync(Btc, strategy, DecisionSource.Api, execute, CancellationToken.None);

        public async Task<JsonElement> CallToolAsync(string name, Proposal proposal, bool withReasoning)
        {
            var args = new AIFunctionArguments
            {
                ["symbol"] = Btc,
                ["side"] = "buy",
                ["size_percent"] = 10m,
                ["stop_loss"] = proposal.Stop,
                ["take_profit"] = proposal.Target,
                ["confidence"] = proposal.Confidence,
            };
            if (withReasoning)
            {
                args["reasoning"] = "momentum";
            }

            return Assert.IsType<JsonElement>(await _tools.Get(name)!.Function.InvokeAsync(args));
        }

        public void Dispose() => _desk.Dispose();

        private static void StandIn(Mock<IExchange> exchange)
        {
            exchange.SetupGet(e => e.Name).Returns("binance-standin");
            exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new Dictionary<string, MarketInfo> { [Btc] = BtcMarket });
            exchange.Setup(e => e.FetchTickerAsync(Btc, It.IsAny<CancellationToken>())).ReturnsAsync(Quote);
            exchange.Setup(e => e.FetchOhlcvAsync(Btc, It.IsAny<string>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(TestMarket.Trend(60, 49_000m, 15m));
            exchange.Setup(e => e.FetchTickerAsync(Eth, It.IsAny<CancellationToken>())).ReturnsAsync(new Ticker(Eth, T0, 2_999.5m, 3_000.5m, 3_000m, 3_030m, 2_970m, 1_000m));
            exchange.Setup(e => e.FetchOhlcvAsync(Eth, It.IsAny<string>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(TestMarket.Trend(60, 2_940m, 1m));
            exchange.Setup(e => e.FetchOrderBookAsync(Btc, It.IsAny<int?>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync(new OrderBook(Btc, [new OrderBookLevel(49_995m, 1m)], [new OrderBookLevel(Ask, 1m)], T0, null));
            exchange.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>()))
                .ReturnsAsync(new Balances(new Dictionary<string, Balance> { ["USDT"] = new(1_000m, 0m) }));
            exchange.Setup(e => e.FetchOpenOrdersAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
            exchange.Setup(e => e.FetchMyTradesAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset?>(), It.IsAny<int?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
            exchange.Setup(e => e.FetchOrderByClientIdAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Order?)null);
            exchange.Setup(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync((OrderRequest r, CancellationToken _) => new Order(
                    $"ord-{r.ClientOrderId}", r.ClientOrderId, r.Symbol, r.Type, r.Side, OrderStatus.Closed, r.Amount, r.Amount, Ask, r.Amount * Ask, r.Amount * Ask * 0.001m, "USDT", T0));
        }
    }

    /// <summary>A brain that proposes the test's long at the ask.</summary>
    private sealed class ProposingBrain(Proposal proposal) : ITradingBrain
    {
        public string Model => "proposing";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new TradeProposal(TradeAction.Buy, 10m, request.Market.Ticker.Ask, proposal.Stop, proposal.Target, proposal.Confidence, "momentum", string.Empty, string.Empty, Model, 0));

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>A journal that keeps every write: one list per <c>SaveAsync</c> (one decision) or <c>SaveManyAsync</c> (a batch).</summary>
    private sealed class RecordingJournal : IDecisionStore
    {
        private readonly List<IReadOnlyList<TradingDecision>> _writes = [];

        public IReadOnlyList<IReadOnlyList<TradingDecision>> Writes => _writes;

        public IReadOnlyList<TradingDecision> Written => [.. _writes.SelectMany(w => w)];

        public Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken)
        {
            _writes.Add([decision]);
            return Task.CompletedTask;
        }

        public Task SaveManyAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken)
        {
            if (decisions.Count > 0)
            {
                _writes.Add([.. decisions]);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TradingDecision>>([.. Written.Where(d => d.Symbol == symbol).Reverse().Take(limit)]);

        public Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken) =>
            Task.FromResult(Written.FirstOrDefault(d => d.Id == id));

        public Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken) =>
            Task.FromResult(new DecisionPage([.. Written.Reverse()], null));

        public Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
