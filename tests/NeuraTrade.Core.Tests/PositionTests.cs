using CsCheck;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class PositionTests
{
    [Fact]
    public void Long_round_trip_pnl_is_price_gain_times_amount_minus_both_fees()
    {
        var position = Open(PositionSide.Long, amount: 0.5m, entry: 100m, entryFee: 0.05m);

        var closed = position.Close(ExitOrder(OrderSide.Sell, 0.5m, price: 110m, fee: 0.055m), ExitReason.TakeProfit, TestMarket.T0.AddMinutes(2));

        // (110 - 100) * 0.5 - 0.05 - 0.055
        Assert.Equal(4.895m, closed.RealizedPnl);
        Assert.Equal(9.79m, closed.RealizedPnlPercent);
        Assert.Equal(50m, closed.EntryNotional);
        Assert.False(closed.IsOpen);
        Assert.Equal(ExitReason.TakeProfit, closed.ExitReason);
        Assert.Equal("exit-1", closed.ExitOrderId);
        Assert.Equal(OrderSide.Sell, position.ExitSide);
    }

    [Fact]
    public void Short_round_trip_pnl_is_price_drop_times_amount_minus_both_fees()
    {
        var position = Open(PositionSide.Short, amount: 2m, entry: 50m, entryFee: 0.1m);

        var win = position.Close(ExitOrder(OrderSide.Buy, 2m, price: 45m, fee: 0.09m), ExitReason.TakeProfit, TestMarket.T0.AddMinutes(1));
        var loss = position.Close(ExitOrder(OrderSide.Buy, 2m, price: 55m, fee: 0.11m), ExitReason.StopLoss, TestMarket.T0.AddMinutes(1));

        Assert.Equal(9.81m, win.RealizedPnl);
        Assert.Equal(-10.21m, loss.RealizedPnl);
        Assert.Equal(OrderSide.Buy, position.ExitSide);
    }

    [Fact]
    public void Fees_turn_a_flat_round_trip_into_a_loss()
    {
        var position = Open(PositionSide.Long, amount: 1m, entry: 100m, entryFee: 0.1m);

        Assert.Equal(-0.1m, position.PnlAt(100m, 0m));
        Assert.Equal(-0.2m, position.PnlAt(100m, 0.1m));
    }

    [Fact]
    public void Open_position_has_no_realized_pnl()
    {
        var position = Open(PositionSide.Long, amount: 1m, entry: 100m, entryFee: 0.1m);

        Assert.True(position.IsOpen);
        Assert.Null(position.RealizedPnl);
        Assert.Null(position.RealizedPnlPercent);
    }

    [Fact]
    public void Mirrored_long_and_short_trades_have_mirrored_gross_pnl()
    {
        var price = Gens.Decimal(0.00000001m, 1_000_000m);
        Gen.Select(price, price, Gens.Decimal(0.00000001m, 10_000m)).Sample((a, b, amount) =>
        {
            var longGross = Open(PositionSide.Long, amount, a, 0m).PnlAt(b, 0m);

            // Same entry and exit: opposite result. Entry and exit swapped: the same result.
            Assert.Equal(-longGross, Open(PositionSide.Short, amount, a, 0m).PnlAt(b, 0m));
            Assert.Equal(longGross, Open(PositionSide.Short, amount, b, 0m).PnlAt(a, 0m));
        });
    }

    [Fact]
    public void PnlAt_subtracts_both_entry_and_exit_fees_on_either_side()
    {
        var price = Gens.Decimal(0.01m, 100_000m);
        var fee = Gens.Decimal(0m, 100m);
        Gen.Select(Gen.Enum<PositionSide>(), price, price, Gens.Decimal(0.0001m, 100m), fee, fee).Sample((side, entry, exit, amount, entryFee, exitFee) =>
        {
            var gross = Open(side, amount, entry, 0m).PnlAt(exit, 0m);
            var net = Open(side, amount, entry, entryFee).PnlAt(exit, exitFee);

            Assert.Equal(gross - entryFee - exitFee, net, 18);
        });
    }

    private static Position Open(PositionSide side, decimal amount, decimal entry, decimal entryFee) =>
        new("pos-1", "BTC/USDT", side, amount, entry, entryFee, 1m, 1_000_000m, TestMarket.T0, "entry-1", "d-1", TestMarket.T0);

    private static Order ExitOrder(OrderSide side, decimal amount, decimal price, decimal fee) =>
        new("exit-1", "c-exit-1", "BTC/USDT", OrderType.Market, side, OrderStatus.Closed, amount, amount, price, amount * price, fee, "USDT", TestMarket.T0.AddMinutes(2));
}
