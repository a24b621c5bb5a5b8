using Fraud.Api.Feedback;
using Fraud.Core;

namespace Fraud.Api.Alerts;

/// <summary>What <c>GET /alerts/{tx_id}</c> returns: the alert, its reason split into parts, the feedback
/// history (oldest first) and the card holder's other recent alerts (newest first).</summary>
internal sealed record AlertDetail(
    Alert Alert,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<FeedbackEntry> Feedback,
    IReadOnlyList<Alert> UserRecentAlerts);
