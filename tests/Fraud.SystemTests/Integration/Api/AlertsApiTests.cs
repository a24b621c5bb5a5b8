using System.Net;
using System.Text.Json;
using Fraud.Core;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>GET /alerts (filters, paging), GET /alerts/{tx_id}, and how every bad query is answered (bad limits: PipelineTests).</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class AlertsApiTests(FraudSystemFixture system)
{
    // Days ago: outside /stats' hour, and behind every live alert in the newest-first list.
    private static readonly DateTimeOffset Earlier = DateTimeOffset.UtcNow.AddDays(-3);

    private static List<string> TxIds(JsonElement alerts) =>
        alerts.EnumerateArray().Select(alert => alert.GetProperty("tx_id").GetString()!).ToList();

    [Fact]
    public async Task Pages_follow_the_link_header_newest_first_without_gaps_or_repeats()
    {
        var user = TestAlerts.NewUserId();
        // Two alerts share a created_at: the cursor must still tell them apart.
        var alerts = new[]
        {
            TestAlerts.NewAlert(user, Earlier.AddMinutes(1)),
            TestAlerts.NewAlert(user, Earlier.AddMinutes(2)),
            TestAlerts.NewAlert(user, Earlier.AddMinutes(2)),
            TestAlerts.NewAlert(user, Earlier.AddMinutes(3)),
            TestAlerts.NewAlert(user, Earlier.AddMinutes(4)),
        };
        await system.InsertAsync(alerts);
        var expected = alerts.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.TxId, StringComparer.Ordinal).Select(a => a.TxId).ToList();

        var seen = new List<string>();
        var pages = 0;
        for (var next = $"/alerts?limit=2&user_id={user}"; next is not null; pages++)
        {
            var response = await system.Api.GetAsync(next);
            response.EnsureSuccessStatusCode();
            seen.AddRange(TxIds(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
            next = response.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "<([^>]+)>; rel=\"next\"").Groups[1].Value
                : null;
            Assert.True(next is null || next.Contains($"user_id={user}"), "the next page keeps the filters");
        }

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Filters_combine_user_risk_rule_status_and_time()
    {
        var user = TestAlerts.NewUserId();
        var low = TestAlerts.NewAlert(user, Earlier.AddMinutes(1), risk: 0.55);
        var highWithRule = TestAlerts.NewAlert(user, Earlier.AddMinutes(2), risk: 0.95, rules: ["amount_above_threshold", "impossible_travel"]);
        var confirmed = TestAlerts.NewAlert(user, Earlier.AddMinutes(3), risk: 0.85, status: "confirmed_fraud");
        var late = TestAlerts.NewAlert(user, Earlier.AddMinutes(10), risk: 0.6);
        await system.InsertAsync(low, highWithRule, confirmed, late);

        async Task<List<string>> Query(string filters) => TxIds(await system.Api.GetJsonAsync($"/alerts?user_id={user}&{filters}"));

        Assert.Equal([late.TxId, confirmed.TxId, highWithRule.TxId, low.TxId], await Query("limit=10"));
        Assert.Equal([confirmed.TxId, highWithRule.TxId], await Query("min_risk=0.8"));
        Assert.Equal([highWithRule.TxId], await Query("rule=impossible_travel"));
        Assert.Equal([confirmed.TxId], await Query("status=confirmed_fraud"));
        Assert.Equal([late.TxId, highWithRule.TxId, low.TxId], await Query("status=open"));
        var since = Uri.EscapeDataString(Earlier.AddMinutes(2).ToString("O"));
        var until = Uri.EscapeDataString(Earlier.AddMinutes(10).ToString("O"));
        Assert.Equal([confirmed.TxId, highWithRule.TxId], await Query($"since={since}&until={until}"));
        Assert.Equal([confirmed.TxId], await Query($"since={since}&until={until}&min_risk=0.8&status=confirmed_fraud"));
        Assert.Empty(await Query("rule=no_such_rule"));
    }

    [Fact]
    public async Task The_seed_call_returns_a_plain_array_and_says_where_the_next_page_is()
    {
        await system.RaiseThroughPipelineAsync();
        await system.RaiseThroughPipelineAsync();

        var response = await system.Api.GetAsync("/alerts?limit=1");

        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Array, body.ValueKind);
        Assert.Equal(1, body.GetArrayLength());
        Assert.Matches("^</alerts\\?limit=1&cursor=[A-Za-z0-9_-]+>; rel=\"next\"$", response.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task An_alert_comes_with_its_reasons_and_the_users_other_recent_alerts()
    {
        var user = TestAlerts.NewUserId();
        var older = TestAlerts.NewAlert(user, Earlier.AddMinutes(1));
        var subject = TestAlerts.NewAlert(user, Earlier.AddMinutes(2), risk: 0.91, rules: ["amount_above_threshold", "velocity"]) with { RulesVersion = "rules-test" };
        var newer = TestAlerts.NewAlert(user, Earlier.AddMinutes(3));
        var someoneElse = TestAlerts.NewAlert(TestAlerts.NewUserId(), Earlier.AddMinutes(2));
        await system.InsertAsync(older, subject, newer, someoneElse);

        var detail = await system.Api.GetJsonAsync($"/alerts/{subject.TxId}");

        var alert = AlertJson.Deserialize(JsonSerializer.SerializeToUtf8Bytes(detail.GetProperty("alert")))!;
        Assert.Equal(subject.TxId, alert.TxId);
        Assert.Equal(0.91, alert.Risk);
        Assert.Equal(["amount_above_threshold", "velocity"], alert.Rules);
        Assert.Equal(("rules-v0", "rules-test"), (alert.ModelVersion, alert.RulesVersion));
        Assert.Equal("1500.00", detail.GetProperty("alert").GetProperty("amount").GetString());
        Assert.Equal(["amount=1500.00", "threshold=1000.00"], detail.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0, detail.GetProperty("feedback").GetArrayLength());
        Assert.Equal([newer.TxId, older.TxId], TxIds(detail.GetProperty("user_recent_alerts")));
    }

    [Fact]
    public async Task An_unknown_tx_id_is_a_404_problem()
    {
        var response = await system.Api.GetAsync("/alerts/tx_that_never_was");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.NotFound, "No alert has tx_id 'tx_that_never_was'");
    }

    [Theory]
    [InlineData("status=escalated", "status must be one of open, confirmed_fraud, false_positive")]
    [InlineData("since=yesterday", "since must be an ISO-8601 date or instant")]
    [InlineData("until=2025-13-45T00:00:00Z", "until must be an ISO-8601 date or instant")]
    [InlineData("since=2025-09-14T00:00:00Z&until=2025-09-13T00:00:00Z", "until must be later than since")]
    [InlineData("min_risk=1.5", "min_risk must be a number from 0 to 1")]
    [InlineData("min_risk=high", "min_risk must be a number from 0 to 1")]
    [InlineData("user_id=alice", "user_id must be a whole number")]
    [InlineData("cursor=not-a-cursor", "cursor is not a cursor this API issued")]
    public async Task A_bad_filter_is_a_400_problem_naming_the_parameter(string query, string message)
    {
        var response = await system.Api.GetAsync($"/alerts?{query}");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Every_bad_parameter_is_reported_at_once()
    {
        var response = await system.Api.GetAsync("/alerts?limit=-1&status=closed");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit must be");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _));
    }
}
