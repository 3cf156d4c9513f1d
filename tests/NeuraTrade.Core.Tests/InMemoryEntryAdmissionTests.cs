using CsCheck;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class InMemoryEntryAdmissionTests
{
    private static readonly DateTimeOffset Now = TestMarket.T0;
    private static readonly DateTimeOffset Until = Now.AddMinutes(2);
    private static readonly string[] Symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "ADA/USDT"];

    [Fact]
    public async Task Forty_reservations_over_five_symbols_admit_max_positions_on_distinct_symbols_and_refuse_the_rest()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
        var admissions = new List<Admission>();
        for (var i = 0; i < 40; i++)
        {
            admissions.Add(await admission.TryReserveAsync(Symbols[i % Symbols.Length], $"d{i}", 3, Now, Until, CancellationToken.None));
        }

        var admitted = admissions.Where(a => a.Admitted).Select(a => a.Slot!).ToList();
        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], admitted.Select(s => s.Symbol));
        Assert.Equal(["d0", "d1", "d2"], admitted.Select(s => s.DecisionId));
        Assert.All(admitted, s => Assert.Equal(Until, s.Until));
        Assert.Equal(3, admitted.Select(s => s.Token).Distinct().Count());
        Assert.All(admissions.Skip(3), a => Assert.Equal("3 positions are open or being opened (Scalping:MaxPositions 3)", a.Refusal));
    }

    [Fact]
    public async Task Concurrent_reservations_whose_position_reads_interleave_still_admit_max_positions()
    {
        var admission = new InMemoryEntryAdmission(new YieldingPositionStore(new InMemoryPositionStore()));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 40).Select(async i =>
        {
            await go.Task;
            return await admission.TryReserveAsync(Symbols[i % Symbols.Length], $"d{i}", 3, Now, Until, CancellationToken.None);
        }).ToList();
        go.SetResult();

        var admitted = (await Task.WhenAll(racing)).Where(a => a.Admitted).Select(a => a.Slot!).ToList();

        Assert.Equal(3, admitted.Count);
        Assert.Equal(3, admitted.Select(s => s.Symbol).Distinct().Count());
    }

    [Fact]
    public async Task A_second_reservation_in_a_held_symbol_is_refused()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
        await admission.TryReserveAsync("BTC/USDT", "d1", 3, Now, Until, CancellationToken.None);

        var again = await admission.TryReserveAsync("BTC/USDT", "d2", 3, Now, Until, CancellationToken.None);

        Assert.False(again.Admitted);
        Assert.Null(again.Slot);
        Assert.Equal("a position in BTC/USDT is already open or being opened", again.Refusal);
    }

    [Fact]
    public async Task A_lapsed_reservation_no_longer_counts()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
        await admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Now.AddMinutes(1), CancellationToken.None);

        var before = await admission.TryReserveAsync("BTC/USDT", "d2", 1, Now.AddSeconds(59), Now.AddMinutes(2), CancellationToken.None);
        var after = await admission.TryReserveAsync("BTC/USDT", "d2", 1, Now.AddMinutes(1), Now.AddMinutes(2), CancellationToken.None);

        Assert.Equal("1 positions are open or being opened (Scalping:MaxPositions 1)", before.Refusal);
        Assert.True(after.Admitted);
    }

    [Fact]
    public async Task Release_frees_the_slot_and_releasing_again_is_harmless()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
        var slot = (await admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Slot!;
        var whileHeld = await admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None);

        await admission.ReleaseAsync(slot, CancellationToken.None);
        await admission.ReleaseAsync(slot, CancellationToken.None);
        var afterRelease = await admission.TryReserveAsync("BTC/USDT", "d2", 1, Now, Until, CancellationToken.None);

        Assert.False(whileHeld.Admitted);
        Assert.True(afterRelease.Admitted);
    }

    [Fact]
    public async Task Releasing_another_slot_leaves_the_held_one_in_place()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
        var held = (await admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Slot!;

        await admission.ReleaseAsync(held with { Token = "someone-else" }, CancellationToken.None);

        Assert.False((await admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None)).Admitted);
    }

    [Fact]
    public async Task A_stored_open_position_blocks_its_symbol_and_counts_against_the_max()
    {
        var positions = new InMemoryPositionStore();
        await positions.SaveOpenAsync(OpenPosition("p1", "BTC/USDT", "d0"), CancellationToken.None);
        var admission = new InMemoryEntryAdmission(positions);

        var sameSymbol = await admission.TryReserveAsync("BTC/USDT", "d1", 3, Now, Until, CancellationToken.None);
        var eth = await admission.TryReserveAsync("ETH/USDT", "d2", 3, Now, Until, CancellationToken.None);
        var sol = await admission.TryReserveAsync("SOL/USDT", "d3", 3, Now, Until, CancellationToken.None);
        var full = await admission.TryReserveAsync("XRP/USDT", "d4", 3, Now, Until, CancellationToken.None);

        Assert.Equal("a position in BTC/USDT is already open or being opened", sameSymbol.Refusal);
        Assert.True(eth.Admitted);
        Assert.True(sol.Admitted);
        Assert.Equal("3 positions are open or being opened (Scalping:MaxPositions 3)", full.Refusal);
    }

    [Fact]
    public async Task A_reservation_and_its_own_stored_position_count_once()
    {
        var positions = new InMemoryPositionStore();
        var admission = new InMemoryEntryAdmission(positions);
        var slot = (await admission.TryReserveAsync("BTC/USDT", "d1", 2, Now, Until, CancellationToken.None)).Slot!;
        await positions.SaveOpenAsync(OpenPosition("p1", "BTC/USDT", "d1"), CancellationToken.None);

        var eth = await admission.TryReserveAsync("ETH/USDT", "d2", 2, Now, Until, CancellationToken.None);
        var full = await admission.TryReserveAsync("SOL/USDT", "d3", 2, Now, Until, CancellationToken.None);
        await admission.ReleaseAsync(slot, CancellationToken.None);
        var stillFull = await admission.TryReserveAsync("SOL/USDT", "d3", 2, Now, Until, CancellationToken.None);

        Assert.True(eth.Admitted);
        Assert.Equal("2 positions are open or being opened (Scalping:MaxPositions 2)", full.Refusal);
        Assert.Equal("2 positions are open or being opened (Scalping:MaxPositions 2)", stillFull.Refusal);
    }

    [Fact]
    public async Task A_reservation_that_ends_before_it_starts_is_a_caller_error()
    {
        var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => admission.TryReserveAsync("BTC/USDT", "d1", 3, Now, Now, CancellationToken.None));
    }

    [Fact]
    public void Any_sequence_of_reservations_releases_and_lapses_keeps_the_limits()
    {
        // Each step: a symbol, how far the clock moves (seconds), and whether to release the oldest held slot first.
        var steps = Gen.Select(Gen.Int[0, Symbols.Length - 1], Gen.Int[0, 90], Gen.Bool).Array[1, 60];
        Gen.Select(Gen.Int[1, 4], steps).Sample((max, plan) =>
        {
            var admission = new InMemoryEntryAdmission(new InMemoryPositionStore());
            var held = new List<EntrySlot>();
            var now = Now;
            for (var i = 0; i < plan.Length; i++)
            {
                var (symbol, seconds, release) = plan[i];
                now = now.AddSeconds(seconds);
                if (release && held.Count > 0)
                {
                    admission.ReleaseAsync(held[0], CancellationToken.None).GetAwaiter().GetResult();
                    held.RemoveAt(0);
                }

                held.RemoveAll(s => s.Until <= now);
                var answer = admission.TryReserveAsync(Symbols[symbol], $"d{i}", max, now, now.AddMinutes(1), CancellationToken.None).GetAwaiter().GetResult();
                if (answer.Slot is { } slot)
                {
                    held.Add(slot);
                }

                if (held.Count > max || held.Select(s => s.Symbol).Distinct().Count() != held.Count)
                {
                    return false;
                }

                // Refused only for a reason: the book is full or holds the symbol.
                if (!answer.Admitted && held.Count < max && held.All(s => s.Symbol != Symbols[symbol]))
                {
                    return false;
                }
            }

            return true;
        });
    }

    private static Position OpenPosition(string id, string symbol, string decisionId) =>
        new(id, symbol, PositionSide.Long, 0.01m, 100m, 0.001m, 99m, 101m, Now, $"o-{id}", decisionId, Now);

    /// <summary>Gives way before each read, so another reservation can commit between a reader's two reads.</summary>
    private sealed class YieldingPositionStore(IPositionStore inner) : IPositionStore
    {
        public async Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            return await inner.GetOpenAsync(cancellationToken);
        }

        public Task SaveOpenAsync(Position position, CancellationToken cancellationToken) => inner.SaveOpenAsync(position, cancellationToken);

        public Task CloseAsync(Position closed, CancellationToken cancellationToken) => inner.CloseAsync(closed, cancellationToken);

        public Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken) => inner.GetClosedAsync(day, cancellationToken);
    }
}
