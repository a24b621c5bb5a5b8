using Fraud.Core;
using Fraud.Core.Detection;

namespace Fraud.Tests.Core.Detection;

public sealed class AmountThresholdDetectorTests
{
    private static readonly DateTimeOffset Now = new(2025, 9, 13, 7, 46, 41, 400, TimeSpan.Zero);

    private static Transaction WithAmount(decimal amount) =>
        new("tx_1539", 4405, amount, "EUR", "ES", new DateTimeOffset(2025, 9, 13, 7, 46, 41, TimeSpan.Zero));

    [Theory]
    [InlineData("999.99")]
    [InlineData("1000")]
    public void An_amount_at_or_below_the_threshold_raises_no_alert(string amount) =>
        Assert.Null(new AmountThresholdDetector(1000m).Evaluate(WithAmount(decimal.Parse(amount)), Now));

    [Fact]
    public void An_amount_above_the_threshold_raises_an_open_alert_with_the_transaction_fields()
    {
        var alert = new AmountThresholdDetector(1000m).Evaluate(WithAmount(1881.22m), Now);

        Assert.NotNull(alert);
        Assert.Equal("tx_1539", alert.TxId);
        Assert.Equal(4405, alert.UserId);
        Assert.Equal(1881.22m, alert.Amount);
        Assert.Equal("ES", alert.Location);
        Assert.Equal(Now, alert.CreatedAt);
        Assert.Equal("open", alert.Status);
        Assert.Null(alert.Score);
        Assert.Equal(["amount_above_threshold"], alert.Rules);
        Assert.Equal("amount=1881.22; threshold=1000.00", alert.Reason);
    }

    [Theory]
    [InlineData("1000.01", 0.5)]
    [InlineData("1500", 0.75)]
    [InlineData("2000", 1.0)]
    [InlineData("50000", 1.0)]
    public void Risk_grows_from_one_half_at_the_threshold_to_one_at_twice_the_threshold(string amount, double risk) =>
        Assert.Equal(risk, new AmountThresholdDetector(1000m).Evaluate(WithAmount(decimal.Parse(amount)), Now)!.Risk, precision: 3);

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_threshold_must_be_positive(string threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmountThresholdDetector(decimal.Parse(threshold)));
}
