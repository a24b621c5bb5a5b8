namespace Fraud.Api.Alerts;

/// <summary>An alert's place in the analyst workflow (<c>fraud_alerts.status</c>): the detector raises it open,
/// feedback turns it into a verdict.</summary>
internal static class AlertStatus
{
    public const string Open = "open";
    public const string ConfirmedFraud = "confirmed_fraud";
    public const string FalsePositive = "false_positive";

    public static readonly IReadOnlyList<string> All = [Open, ConfirmedFraud, FalsePositive];
}
