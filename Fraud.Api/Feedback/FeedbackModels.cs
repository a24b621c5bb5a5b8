using System.ComponentModel;
using Fraud.Api.Alerts;

namespace Fraud.Api.Feedback;

/// <summary>The body of <c>POST /alerts/{tx_id}/feedback</c>.</summary>
internal sealed record FeedbackRequest(
    [property: Description("fraud (the alert was right) or legit (a false positive).")] string? Label,
    [property: Description("Optional, at most 2000 characters.")] string? Note = null);

/// <summary>The answer to a feedback post: the alert's status now, and whether this post changed anything.</summary>
internal sealed record FeedbackResult(string TxId, string Label, string Status, bool Changed);

/// <summary>One row of an alert's audit trail; <see cref="Author"/> is the name of the key that gave it (null before keys had names).</summary>
internal sealed record FeedbackEntry(string Label, string Note, string PreviousStatus, string Status, DateTimeOffset CreatedAt, string? Author);

/// <summary>An analyst's verdict and the alert status it leads to.</summary>
internal static class FeedbackLabels
{
    public const int MaxNoteLength = 2000;

    public static readonly string[] All = ["fraud", "legit"];

    public static bool TryGetStatus(string? label, out string status)
    {
        status = label switch
        {
            "fraud" => AlertStatus.ConfirmedFraud,
            "legit" => AlertStatus.FalsePositive,
            _ => "",
        };
        return status.Length > 0;
    }
}
