namespace NeuraTrade.Storage;

/// <summary>The tables the app uses (before <see cref="TableStorageOptions.TablePrefix"/>).</summary>
public static class TableNames
{
    public const string Decisions = "decisions";
    public const string Positions = "positions";
    public const string Trades = "trades";
    public const string ScalpingState = "scalpingstate";
    public const string PaperAccount = "paperaccount";
    public const string LlmUsage = "llmusage";
    public const string Outcomes = TableOutcomeStore.TableName;
    public const string ScanClaims = TableScanClaimStore.TableName;
    public const string EntrySlots = TableEntryAdmission.TableName;
    public const string Arbitrage = TableArbitrageStore.TableName;

    public static IReadOnlyList<string> All { get; } = [Decisions, Positions, Trades, ScalpingState, PaperAccount, LlmUsage, ScanClaims, EntrySlots, Outcomes, Arbitrage];
}
