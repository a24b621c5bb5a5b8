using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fraud.Api.FunctionalTests.Security;

/// <summary>
/// Named keys: an admin makes one per analyst or service with a role; what a key does is recorded under its name,
/// never under a name the request gives itself; a lesser role or a revoked key is a 403 problem.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NamedKeyTests(ApiFixture fixture)
{
    [Fact]
    public async Task An_analyst_key_records_its_name_on_verdicts_cannot_change_rules_and_stops_working_once_revoked()
    {
        string name = $"alice-{Guid.NewGuid():N}"[..20];
        var created = await SendAsync(HttpMethod.Post, "/keys", fixture.ApiKey, new { name, role = "analyst" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        string key = body.GetProperty("key").GetString()!;
        Assert.StartsWith("fk_", key);
        Assert.True(key.Length >= 40, $"a {key.Length}-character key");

        var me = JsonDocument.Parse(await (await SendAsync(HttpMethod.Get, "/me", key)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((name, "analyst"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));

        var alert = TestAlerts.NewAlert(TestAlerts.NewUserId(), DateTimeOffset.UtcNow);
        await fixture.InsertAsync(alert);
        var verdict = await SendAsync(HttpMethod.Post, $"/alerts/{alert.TxId}/feedback", key, new { label = "fraud" }, author: "somebody-else");
        Assert.Equal(HttpStatusCode.OK, verdict.StatusCode);
        var history = (await fixture.Api.GetJsonAsync($"/alerts/{alert.TxId}")).GetProperty("feedback");
        Assert.Equal(name, Assert.Single(history.EnumerateArray()).GetProperty("author").GetString());

        await ProblemAssert.ProblemAsync(await SendAsync(HttpMethod.Put, "/rules", key, new { version = "by-analyst", rules = Array.Empty<object>() }),
            HttpStatusCode.Forbidden, "does not allow");
        await ProblemAssert.ProblemAsync(await SendAsync(HttpMethod.Post, "/keys", key, new { name = "mallory", role = "admin" }),
            HttpStatusCode.Forbidden, "does not allow");

        var listed = await (await SendAsync(HttpMethod.Get, "/keys", fixture.ApiKey)).Content.ReadAsStringAsync();
        Assert.Contains(name, listed);
        Assert.DoesNotContain(key, listed);   // only its digest is kept

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/keys/{name}", fixture.ApiKey)).StatusCode);
        await ProblemAssert.ProblemAsync(await SendAsync(HttpMethod.Post, $"/alerts/{alert.TxId}/feedback", key, new { label = "legit" }),
            HttpStatusCode.Forbidden, "revoked");
    }

    [Fact]
    public async Task A_read_key_reads_but_gives_no_verdict()
    {
        string name = $"reader-{Guid.NewGuid():N}"[..20];
        var created = JsonDocument.Parse(await (await SendAsync(HttpMethod.Post, "/keys", fixture.ApiKey, new { name, role = "read" })).Content.ReadAsStringAsync()).RootElement;
        string key = created.GetProperty("key").GetString()!;
        var alert = TestAlerts.NewAlert(TestAlerts.NewUserId(), DateTimeOffset.UtcNow);
        await fixture.InsertAsync(alert);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/alerts/{alert.TxId}", key)).StatusCode);
        await ProblemAssert.ProblemAsync(await SendAsync(HttpMethod.Post, $"/alerts/{alert.TxId}/feedback", key, new { label = "fraud" }),
            HttpStatusCode.Forbidden, "'read'");
    }

    [Fact]
    public async Task A_rule_change_records_the_keys_name_not_the_author_the_request_claims()
    {
        string version = $"rules-named-{Guid.NewGuid():N}"[..24];
        // The active rules (stored as written, comments included) under a new version: the rules stay the same.
        string active = await fixture.Api.GetStringAsync("/rules");
        string definition = new System.Text.RegularExpressions.Regex("\"version\"\\s*:\\s*\"[^\"]*\"").Replace(
            active, $"\"version\": \"{version}\"", 1);

        var put = await SendAsync(HttpMethod.Put, "/rules", fixture.ApiKey, definition, author: "mallory");
        // The first version active again (putting a stored version re-activates it): the other tests read it.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/rules", fixture.ApiKey, active)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var versions = (await fixture.Api.GetJsonAsync("/rules/versions")).EnumerateArray();
        Assert.Equal("admin", versions.Single(item => item.GetProperty("version").GetString() == version).GetProperty("author").GetString());
    }

    [Theory]
    [InlineData("""{"name":"Bad Name","role":"analyst"}""", "name must be")]
    [InlineData("""{"name":"bob","role":"root"}""", "role must be one of read, analyst, admin")]
    [InlineData("""{"name":"admin","role":"read"}""", "not 'admin'")]
    public async Task A_bad_key_request_is_a_400_problem(string body, string detail)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/keys") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", fixture.ApiKey);

        await ProblemAssert.ProblemAsync(await fixture.Api.SendAsync(request), HttpStatusCode.BadRequest, detail);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null, string? author = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body switch
            {
                null => null,
                string text => new StringContent(text, Encoding.UTF8, "application/json"),
                _ => JsonContent.Create(body),
            },
        };
        request.Headers.Add("X-Api-Key", key);
        if (author is not null)
        {
            request.Headers.Add("X-Author", author);
        }

        var response = await fixture.Api.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
