using System.Text;
using System.Text.Json;
using Fraud.Api.Monitoring;
using Fraud.Core.Alerting;

namespace Fraud.UnitTests.Api;

public sealed class WebhookPayloadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlarmThresholds Thresholds = new(0.05, 0.02, 100, TimeSpan.FromMinutes(10));

    [Fact]
    public void A_firing_payload_is_slack_text_plus_structured_fields()
    {
        var transition = new AlarmTransition(AlarmState.Firing, new WindowCounts(500, 117), T0, T0);

        using var json = JsonDocument.Parse(WebhookPayload.Serialize(transition, Thresholds, 300));
        var root = json.RootElement;

        Assert.Equal("Fraud anomaly rate is 23.4% over the last 300 s, above the 5% limit (117 alerts in 500 transactions).",
            root.GetProperty("text").GetString());
        Assert.Equal("firing", root.GetProperty("status").GetString());
        Assert.Equal(0.234, root.GetProperty("anomaly_rate").GetDouble());
        Assert.Equal(0.05, root.GetProperty("limit").GetDouble());
        Assert.Equal(0.02, root.GetProperty("clear_below").GetDouble());
        Assert.Equal(117, root.GetProperty("alerts").GetInt64());
        Assert.Equal(500, root.GetProperty("transactions").GetInt64());
        Assert.Equal(300, root.GetProperty("window_seconds").GetInt32());
        Assert.Equal("2026-11-26T12:00:00.0000000Z", root.GetProperty("at").GetString());
    }

    [Fact]
    public void A_resolved_payload_says_so_and_when_the_incident_began()
    {
        var transition = new AlarmTransition(AlarmState.Ok, new WindowCounts(1000, 10), T0.AddMinutes(15), T0);

        using var json = JsonDocument.Parse(WebhookPayload.Serialize(transition, Thresholds, 300));

        Assert.Equal("resolved", json.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("Resolved: fraud anomaly rate is back to 1%", json.RootElement.GetProperty("text").GetString());
        Assert.Equal("2026-11-26T12:00:00.0000000Z", json.RootElement.GetProperty("firing_since").GetString());
    }
}

public sealed class WebhookSignatureTests
{
    [Fact]
    public void The_signature_is_hmac_sha256_over_timestamp_dot_body_in_lowercase_hex()
    {
        var body = Encoding.UTF8.GetBytes("""{"text":"hello"}""");

        var signature = WebhookSignature.Compute("secret", 1764158400, body);

        // Independent computation: HMAC-SHA256("secret", "1764158400.{"text":"hello"}").
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes("1764158400." + """{"text":"hello"}""")));
        Assert.Equal("sha256=" + expected, signature);
    }

    [Fact]
    public void Verification_fails_for_another_secret_timestamp_or_body()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var signature = WebhookSignature.Compute("secret", 100, body);

        Assert.True(WebhookSignature.Verify("secret", 100, body, signature));
        Assert.False(WebhookSignature.Verify("other", 100, body, signature));
        Assert.False(WebhookSignature.Verify("secret", 101, body, signature));
        Assert.False(WebhookSignature.Verify("secret", 100, Encoding.UTF8.GetBytes("{ }"), signature));
        Assert.False(WebhookSignature.Verify("secret", 100, body, null));
    }
}
