using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Entry admission on real Azurite. Each "process" is its own <see cref="TableServiceClient"/>, <see cref="TableStore"/>,
/// <see cref="TablePositionStore"/> and <see cref="TableEntryAdmission"/> over one storage account and table prefix.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EntryAdmissionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = Now.AddMinutes(2);
    private static readonly string[] Symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "ADA/USDT"];

    [Fact]
    public async Task Forty_concurrent_reservations_from_two_processes_admit_exactly_max_positions_on_distinct_symbols()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        Process[] processes = [Process.Start(azurite, prefix), Process.Start(azurite, prefix)];
        await Task.WhenAll(processes.Select(p => p.Tables.GetTableAsync(TableEntryAdmission.TableName, CancellationToken.None)));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // All 40 wait on one signal, then race: every first write finds the row absent and all but one insert lose.
        var racing = Enumerable.Range(0, 40).Select(async i =>
        {
            await go.Task;
            return await processes[i % 2].Admission.TryReserveAsync(Symbols[i % Symbols.Length], $"d{i}", 3, Now, Until, CancellationToken.None);
        }).ToList();
        go.SetResult();
        var admissions = await Task.WhenAll(racing);

        var admitted = admissions.Where(a => a.Admitted).Select(a => a.Slot!).ToList();
        Assert.Equal(3, admitted.Count);
        Assert.Equal(3, admitted.Select(s => s.Symbol).Distinct().Count());
        var refusals = admissions.Where(a => !a.Admitted).Select(a => a.Refusal!).ToList();
        Assert.Equal(37, refusals.Count);
        Assert.All(refusals, r => Assert.True(
            r == "3 positions are open or being opened (Scalping:MaxPositions 3)"
            || (r.StartsWith("a position in ", StringComparison.Ordinal) && r.EndsWith(" is already open or being opened", StringComparison.Ordinal)),
            r));
        var stillFull = await processes[1].Admission.TryReserveAsync("DOT/USDT", "late", 3, Now, Until, CancellationToken.None);
        Assert.Equal("3 positions are open or being opened (Scalping:MaxPositions 3)", stillFull.Refusal);
    }

    [Fact]
    public async Task A_second_reservation_in_a_held_symbol_is_refused_in_the_other_process()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);

        var held = await first.Admission.TryReserveAsync("BTC/USDT", "d1", 3, Now, Until, CancellationToken.None);
        var refused = await second.Admission.TryReserveAsync("BTC/USDT", "d2", 3, Now, Until, CancellationToken.None);
        var other = await second.Admission.TryReserveAsync("ETH/USDT", "d3", 3, Now, Until, CancellationToken.None);

        Assert.True(held.Admitted);
        Assert.Equal(new EntrySlot("BTC/USDT", "d1", Until, held.Slot!.Token), held.Slot);
        Assert.False(refused.Admitted);
        Assert.Equal("a position in BTC/USDT is already open or being opened", refused.Refusal);
        Assert.True(other.Admitted);
    }

    [Fact]
    public async Task A_lapsed_reservation_no_longer_counts()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var crashed = Process.Start(azurite, prefix);
        var other = Process.Start(azurite, prefix);
        Assert.True((await crashed.Admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Now.AddMinutes(1), CancellationToken.None)).Admitted);

        var before = await other.Admission.TryReserveAsync("BTC/USDT", "d2", 1, Now.AddSeconds(59), Now.AddMinutes(2), CancellationToken.None);
        var after = await other.Admission.TryReserveAsync("BTC/USDT", "d2", 1, Now.AddMinutes(1), Now.AddMinutes(2), CancellationToken.None);

        Assert.Equal("1 positions are open or being opened (Scalping:MaxPositions 1)", before.Refusal);
        Assert.True(after.Admitted);
    }

    [Fact]
    public async Task Release_frees_the_slot_and_releasing_again_is_harmless()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);
        var slot = (await first.Admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Slot!;
        var whileHeld = await second.Admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None);

        await first.Admission.ReleaseAsync(slot, CancellationToken.None);
        await first.Admission.ReleaseAsync(slot, CancellationToken.None);
        await second.Admission.ReleaseAsync(slot, CancellationToken.None);
        var afterRelease = await second.Admission.TryReserveAsync("BTC/USDT", "d2", 1, Now, Until, CancellationToken.None);

        Assert.False(whileHeld.Admitted);
        Assert.True(afterRelease.Admitted);
    }

    [Fact]
    public async Task Releasing_before_any_reservation_exists_is_harmless()
    {
        var process = Process.Start(azurite, AzuriteFixture.UniquePrefix());

        await process.Admission.ReleaseAsync(new EntrySlot("BTC/USDT", "d1", Until, "gone"), CancellationToken.None);

        Assert.True((await process.Admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Admitted);
    }

    [Fact]
    public async Task A_stored_open_position_blocks_its_symbol_and_counts_against_the_max()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);
        await first.Positions.SaveOpenAsync(OpenPosition("p1", "BTC/USDT", "d0"), CancellationToken.None);

        var sameSymbol = await second.Admission.TryReserveAsync("BTC/USDT", "d1", 3, Now, Until, CancellationToken.None);
        var eth = await second.Admission.TryReserveAsync("ETH/USDT", "d2", 3, Now, Until, CancellationToken.None);
        var sol = await first.Admission.TryReserveAsync("SOL/USDT", "d3", 3, Now, Until, CancellationToken.None);
        var full = await first.Admission.TryReserveAsync("XRP/USDT", "d4", 3, Now, Until, CancellationToken.None);

        Assert.Equal("a position in BTC/USDT is already open or being opened", sameSymbol.Refusal);
        Assert.True(eth.Admitted);
        Assert.True(sol.Admitted);
        Assert.Equal("3 positions are open or being opened (Scalping:MaxPositions 3)", full.Refusal);
    }

    [Fact]
    public async Task A_reservation_and_its_own_stored_position_count_once()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);
        var slot = (await first.Admission.TryReserveAsync("BTC/USDT", "d1", 2, Now, Until, CancellationToken.None)).Slot!;
        await first.Positions.SaveOpenAsync(OpenPosition("p1", "BTC/USDT", "d1"), CancellationToken.None);

        // Position stored, reservation not yet released: one slot taken, not two.
        var eth = await second.Admission.TryReserveAsync("ETH/USDT", "d2", 2, Now, Until, CancellationToken.None);
        var full = await second.Admission.TryReserveAsync("SOL/USDT", "d3", 2, Now, Until, CancellationToken.None);
        await first.Admission.ReleaseAsync(slot, CancellationToken.None);
        var stillFull = await second.Admission.TryReserveAsync("SOL/USDT", "d3", 2, Now, Until, CancellationToken.None);

        Assert.True(eth.Admitted);
        Assert.Equal("2 positions are open or being opened (Scalping:MaxPositions 2)", full.Refusal);
        Assert.Equal("2 positions are open or being opened (Scalping:MaxPositions 2)", stillFull.Refusal);
    }

    [Fact]
    public async Task A_kept_slot_row_another_process_changed_never_admits_beyond_the_max()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);

        // The first keeps the row holding its BTC slot; the second then reserves ETH, which the kept row does not show.
        Assert.True((await first.Admission.TryReserveAsync("BTC/USDT", "d1", 2, Now, Until, CancellationToken.None)).Admitted);
        Assert.True((await second.Admission.TryReserveAsync("ETH/USDT", "d2", 2, Now, Until, CancellationToken.None)).Admitted);

        // On its kept row SOL would pass (1 of 2); the write on that row's ETag fails, and the current row is full.
        var third = await first.Admission.TryReserveAsync("SOL/USDT", "d3", 2, Now, Until, CancellationToken.None);

        Assert.Equal("2 positions are open or being opened (Scalping:MaxPositions 2)", third.Refusal);
    }

    [Fact]
    public async Task A_kept_slot_row_is_not_read_as_a_refusal_after_another_process_released()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);
        var slot = (await first.Admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Slot!;
        Assert.False((await second.Admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None)).Admitted);

        // The second's kept row still holds the BTC slot the first releases now: the row as read now decides.
        await first.Admission.ReleaseAsync(slot, CancellationToken.None);
        var after = await second.Admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None);

        Assert.True(after.Admitted);
    }

    [Fact]
    public async Task A_position_saved_and_its_slot_released_while_another_process_reserves_is_seen_by_that_process()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var slot = (await first.Admission.TryReserveAsync("BTC/USDT", "d1", 1, Now, Until, CancellationToken.None)).Slot!;
        // The second process reads the positions just before the first saves its position and releases its slot.
        var racing = new InterleavingPositionStore(first.Positions, async () =>
        {
            await first.Positions.SaveOpenAsync(OpenPosition("p1", "BTC/USDT", "d1"), CancellationToken.None);
            await first.Admission.ReleaseAsync(slot, CancellationToken.None);
        });
        var second = Process.Start(azurite, prefix, racing);

        var answer = await second.Admission.TryReserveAsync("ETH/USDT", "d2", 1, Now, Until, CancellationToken.None);

        Assert.True(racing.Interleaved);
        Assert.Equal("1 positions are open or being opened (Scalping:MaxPositions 1)", answer.Refusal);
    }

    [Fact]
    public async Task A_batch_gets_the_answers_one_by_one_reservations_would_get_and_its_release_frees_every_slot()
    {
        // Max 3; another process holds ETH. In order: BTC fits (2 of 3), ETH is held elsewhere, SOL fills the third slot,
        // XRP and a second BTC find no slot left (the max is said before the symbol).
        SlotRequest[] batch = [new("BTC/USDT", "d1"), new("ETH/USDT", "d2"), new("SOL/USDT", "d3"), new("XRP/USDT", "d4"), new("BTC/USDT", "d5")];
        string?[] expected =
        [
            null,
            "a position in ETH/USDT is already open or being opened",
            null,
            "3 positions are open or being opened (Scalping:MaxPositions 3)",
            "3 positions are open or being opened (Scalping:MaxPositions 3)",
        ];
        var prefix = AzuriteFixture.UniquePrefix();
        var first = Process.Start(azurite, prefix);
        var second = Process.Start(azurite, prefix);
        Assert.True((await second.Admission.TryReserveAsync("ETH/USDT", "d0", 3, Now, Until, CancellationToken.None)).Admitted);

        var together = await first.Admission.TryReserveManyAsync(batch, 3, Now, Until, CancellationToken.None);

        Assert.Equal(expected, together.Select(a => a.Refusal));
        Assert.Equal(["BTC/USDT", "SOL/USDT"], together.Where(a => a.Admitted).Select(a => a.Slot!.Symbol));
        Assert.Equal(["d1", "d3"], together.Where(a => a.Admitted).Select(a => a.Slot!.DecisionId));

        // The same requests one by one, in a fresh account with the same ETH slot elsewhere: the same answers.
        var alonePrefix = AzuriteFixture.UniquePrefix();
        var alone = Process.Start(azurite, alonePrefix);
        Assert.True((await Process.Start(azurite, alonePrefix).Admission.TryReserveAsync("ETH/USDT", "d0", 3, Now, Until, CancellationToken.None)).Admitted);
        var oneByOne = new List<Admission>();
        foreach (var request in batch)
        {
            oneByOne.Add(await alone.Admission.TryReserveAsync(request.Symbol, request.DecisionId, 3, Now, Until, CancellationToken.None));
        }

        Assert.Equal(expected, oneByOne.Select(a => a.Refusal));

        // Both of the batch's slots go back in one release: the other process can now take two more (ETH still its own).
        await first.Admission.ReleaseManyAsync(together.Where(a => a.Admitted).Select(a => a.Slot!).ToList(), CancellationToken.None);
        var after = await second.Admission.TryReserveManyAsync([new("BTC/USDT", "d6"), new("SOL/USDT", "d7"), new("XRP/USDT", "d8")], 3, Now, Until, CancellationToken.None);
        Assert.Equal([true, true, false], after.Select(a => a.Admitted));
    }

    [Fact]
    public async Task Batches_and_single_reservations_racing_from_two_processes_never_pass_the_max()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        Process[] processes = [Process.Start(azurite, prefix), Process.Start(azurite, prefix)];
        await Task.WhenAll(processes.Select(p => p.Tables.GetTableAsync(TableEntryAdmission.TableName, CancellationToken.None)));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Ten batches of three symbols and ten single reservations race for 3 slots over five symbols.
        var racing = Enumerable.Range(0, 20).Select(async i =>
        {
            await go.Task;
            var admission = processes[i % 2].Admission;
            return i % 2 == 0
                ? await admission.TryReserveManyAsync(Enumerable.Range(0, 3).Select(k => new SlotRequest(Symbols[(i + k) % Symbols.Length], $"d{i}-{k}")).ToList(), 3, Now, Until, CancellationToken.None)
                : [await admission.TryReserveAsync(Symbols[i % Symbols.Length], $"d{i}", 3, Now, Until, CancellationToken.None)];
        }).ToList();
        go.SetResult();

        var admitted = (await Task.WhenAll(racing)).SelectMany(a => a).Where(a => a.Admitted).Select(a => a.Slot!).ToList();
        Assert.Equal(3, admitted.Count);
        Assert.Equal(3, admitted.Select(s => s.Symbol).Distinct().Count());
    }

    [Fact]
    public async Task The_app_registers_the_table_admission()
    {
        await using var app = TestApp.Create(azurite, Now);

        Assert.IsType<TableEntryAdmission>(app.Get<IEntryAdmission>());
    }

    private static Position OpenPosition(string id, string symbol, string decisionId) =>
        new(id, symbol, PositionSide.Long, 0.01m, 100m, 0.001m, 99m, 101m, Now, $"o-{id}", decisionId, Now);

    /// <summary>What one host holds: its own client, stores and admission over the shared account.</summary>
    private sealed record Process(TableStore Tables, TablePositionStore Positions, TableEntryAdmission Admission)
    {
        /// <param name="admissionPositions">What the admission reads positions through; the process's own store by default.</param>
        public static Process Start(AzuriteFixture azurite, string prefix, IPositionStore? admissionPositions = null)
        {
            var tables = new TableStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TableStorageOptions { TablePrefix = prefix }));
            var positions = new TablePositionStore(tables);
            return new Process(tables, positions, new TableEntryAdmission(tables, admissionPositions ?? positions, NullLogger<TableEntryAdmission>.Instance));
        }
    }

    /// <summary>
    /// Reads the open positions, then (once) lets <paramref name="meanwhile"/> run before handing back what it read:
    /// the reader's view of the positions is from just before that step.
    /// </summary>
    private sealed class InterleavingPositionStore(IPositionStore inner, Func<Task> meanwhile) : IPositionStore
    {
        public bool Interleaved { get; private set; }

        public async Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken)
        {
            var read = await inner.GetOpenAsync(cancellationToken);
            if (!Interleaved)
            {
                Interleaved = true;
                await meanwhile();
            }

            return read;
        }

        public Task SaveOpenAsync(Position position, CancellationToken cancellationToken) => inner.SaveOpenAsync(position, cancellationToken);

        public Task CloseAsync(Position closed, CancellationToken cancellationToken) => inner.CloseAsync(closed, cancellationToken);

        public Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken) => inner.GetClosedAsync(day, cancellationToken);
    }
}
