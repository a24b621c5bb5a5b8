using System.Net;
using System.Text;
using System.Text.Json;

namespace Fraud.Api.FunctionalTests;

/// <summary>
/// GET/PUT /rules on the shared API. These tests never change the active rule set (other tests rely on it);
/// activating a new version, and a detector deciding with it, is tested on a whole system (Fraud.SystemTests, OnlineDetectorTests).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RulesApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_active_rule_set_is_the_detectors_rules_file_as_written_with_its_version_and_author()
    {
        var response = await fixture.Api.GetAsync("/rules");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("rules-test-1", response.Headers.GetValues("X-Rules-Version").Single());
        Assert.Equal("file rules.json", response.Headers.GetValues("X-Author").Single());
        Assert.Equal(await File.ReadAllTextAsync(fixture.Files.RulesPath), await response.Content.ReadAsStringAsync());
        using var versions = JsonDocument.Parse(await fixture.Api.GetStringAsync("/rules/versions"));
        Assert.Contains(versions.RootElement.EnumerateArray(), version =>
            version.GetProperty("version").GetString() == "rules-test-1" && version.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Putting_the_active_rule_set_again_changes_nothing()
    {
        string active = await fixture.Api.GetStringAsync("/rules");

        var response = await PutAsync(active);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("rules-test-1", body.RootElement.GetProperty("version").GetString());
        Assert.False(body.RootElement.GetProperty("changed").GetBoolean());
    }

    [Theory]
    [InlineData("""{"version":"bad-1","rules":[{"name":"burst","kind":"velocity","weight":0.4,"parameters":{"window_seconds":600}}]}""",
        "rule 'burst' (velocity): parameter 'min_count': required")]
    [InlineData("""{"version":"bad-2","rules":[{"name":"x","kind":"magic","weight":0.5}]}""", "rule 'x': kind: 'magic' is not a rule kind")]
    [InlineData("""{"version":"bad-3","rules":[{"name":"x","kind":"amount_above","weight":1.5,"parameters":{"min_amount":10}}]}""",
        "rule 'x' (amount_above): weight: must be greater than 0 and at most 1, got 1.5")]
    [InlineData("""{"rules":[]}""", "version: required")]
    [InlineData("""{"version":"bad-4","rules":[""", "")]
    public async Task An_invalid_rule_set_is_a_400_naming_every_problem_and_is_not_stored(string definition, string problem)
    {
        var response = await PutAsync(definition);

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, problem);
        Assert.Equal("rules-test-1", (await fixture.Api.GetAsync("/rules")).Headers.GetValues("X-Rules-Version").Single());
        Assert.DoesNotContain("bad-", await fixture.Api.GetStringAsync("/rules/versions"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_version_with_another_definition_is_a_409()
    {
        string changed = (await fixture.Api.GetStringAsync("/rules")).Replace("\"min_amount\": 1000", "\"min_amount\": 1001", StringComparison.Ordinal);

        var response = await PutAsync(changed);

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.Conflict, "Version 'rules-test-1' is already stored with another definition");
    }

    [Theory]
    [InlineData("", HttpStatusCode.Unauthorized)]
    [InlineData("not-the-key", HttpStatusCode.Forbidden)]
    public async Task Changing_the_rules_needs_the_api_key(string apiKey, HttpStatusCode status)
    {
        var response = await PutAsync("""{"version":"keyless","rules":[]}""", apiKey);

        Assert.Equal(status, response.StatusCode);
        Assert.DoesNotContain("keyless", await fixture.Api.GetStringAsync("/rules/versions"), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PutAsync(string definition, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/rules") { Content = new StringContent(definition, Encoding.UTF8, "application/json") };
        if ((apiKey ?? fixture.ApiKey) is { Length: > 0 } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return fixture.Api.SendAsync(request);
    }
}
