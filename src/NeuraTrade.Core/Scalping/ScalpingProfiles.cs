namespace NeuraTrade.Core.Scalping;

/// <summary>The seed's presets. A preset sets limits; explicit settings still override it.</summary>
public static class ScalpingProfiles
{
    public const string Default = "default";
    public const string Conservative = "conservative";
    public const string Aggressive = "aggressive";

    public static IReadOnlyList<string> Names { get; } = [Default, Conservative, Aggressive];

    public static bool IsKnown(string? profile) => profile is not null && Names.Contains(profile.Trim().ToLowerInvariant());

    /// <summary>Applies the preset's values to <paramref name="options"/>; unknown names change nothing (validation reports them).</summary>
    public static void Apply(ScalpingOptions options, string? profile)
    {
        switch (profile?.Trim().ToLowerInvariant())
        {
            case Conservative:
                options.Profile = Conservative;
                options.MaxPositions = 2;
                options.MinNetEdgePercent = 0.05m;
                options.MaxPositionSize = 50m;
                options.MaxDailyLoss = 50m;
                options.PositionHoldTime = TimeSpan.FromMinutes(5);
                break;
            case Aggressive:
                options.Profile = Aggressive;
                options.MaxPositions = 5;
                options.MinNetEdgePercent = 0.01m;
                options.MaxPositionSize = 200m;
                options.MaxDailyLoss = 200m;
                options.PositionHoldTime = TimeSpan.FromMinutes(1);
                break;
            default:
                break;
        }
    }
}
