using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Tests;

public sealed class ScalpingProfilesTests
{
    [Theory]
    [InlineData(" Conservative ")]
    public void Conservative_preset_sets_its_limits(string name)
    {
        var options = new ScalpingOptions();

        ScalpingProfiles.Apply(options, name);

        Assert.Equal(ScalpingProfiles.Conservative, options.Profile);
        Assert.Equal(2, options.MaxPositions);
        Assert.Equal(0.05m, options.MinSpreadPercent);
        Assert.Equal(50m, options.MaxPositionSize);
        Assert.Equal(50m, options.MaxDailyLoss);
        Assert.Equal(TimeSpan.FromMinutes(5), options.PositionHoldTime);
    }

    [Theory]
    [InlineData("AGGRESSIVE")]
    public void Aggressive_preset_sets_its_limits(string name)
    {
        var options = new ScalpingOptions();

        ScalpingProfiles.Apply(options, name);

        Assert.Equal(ScalpingProfiles.Aggressive, options.Profile);
        Assert.Equal(5, options.MaxPositions);
        Assert.Equal(0.01m, options.MinSpreadPercent);
        Assert.Equal(200m, options.MaxPositionSize);
        Assert.Equal(200m, options.MaxDailyLoss);
        Assert.Equal(TimeSpan.FromMinutes(1), options.PositionHoldTime);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("yolo")]
    [InlineData(null)]
    public void Default_or_unknown_profile_changes_nothing(string? name)
    {
        var options = new ScalpingOptions();

        ScalpingProfiles.Apply(options, name);

        Assert.Equal(ScalpingProfiles.Default, options.Profile);
        Assert.Equal(3, options.MaxPositions);
        Assert.Equal(0.02m, options.MinSpreadPercent);
        Assert.Equal(100m, options.MaxPositionSize);
        Assert.Equal(100m, options.MaxDailyLoss);
        Assert.Equal(TimeSpan.FromMinutes(2), options.PositionHoldTime);
    }

    [Fact]
    public void Presets_leave_unrelated_settings_alone()
    {
        var options = new ScalpingOptions { Symbols = ["BTC/USDT"], MaxSpreadPercent = 0.3m, MinConfidence = 0.7m };

        ScalpingProfiles.Apply(options, ScalpingProfiles.Aggressive);

        Assert.Equal(new[] { "BTC/USDT" }, options.Symbols);
        Assert.Equal(0.3m, options.MaxSpreadPercent);
        Assert.Equal(0.7m, options.MinConfidence);
    }
}
