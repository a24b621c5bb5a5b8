using System.Net;
using System.Text.Json;
using Fraud.Core.Detection.Forest;

namespace Fraud.Api.FunctionalTests;

/// <summary>
/// GET /models and activation on the shared API. Training and switching models are tested on a whole system
/// (Fraud.SystemTests, OnlineDetectorTests), where a detector decides with them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ModelsApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_detectors_model_file_is_the_active_stored_model()
    {
        var file = IsolationForest.Deserialize(await File.ReadAllBytesAsync(fixture.Files.ModelPath));

        using var models = JsonDocument.Parse(await fixture.Api.GetStringAsync("/models"));

        var active = Assert.Single(models.RootElement.EnumerateArray(),
            model => model.GetProperty("active").GetBoolean() && model.GetProperty("kind").GetString() == "isolation_forest");
        Assert.Equal(file.Version, active.GetProperty("version").GetString());
        Assert.Equal("isolation_forest", active.GetProperty("kind").GetString());
        Assert.Equal("file iforest.model", active.GetProperty("source").GetString());
        Assert.Equal(file.TrainingRows, active.GetProperty("training_rows").GetInt32());
        Assert.Equal(100, active.GetProperty("parameters").GetProperty("estimators").GetInt32());
    }

    [Fact]
    public async Task Activating_an_unknown_version_is_a_404()
    {
        var response = await PostAsync("/models/if-no-such-version/activate");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.NotFound, "No model has version 'if-no-such-version'");
    }

    [Fact]
    public async Task Activating_the_active_version_again_changes_nothing()
    {
        string version = IsolationForest.Deserialize(await File.ReadAllBytesAsync(fixture.Files.ModelPath)).Version;

        var response = await PostAsync($"/models/{version}/activate");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("changed").GetBoolean());
    }

    [Fact]
    public async Task Training_an_unknown_kind_of_model_is_a_400()
    {
        var response = await PostAsync("/models/train?kind=neural_network");

        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "kind must be 'isolation_forest' (the default) or 'classifier'; got 'neural_network'.");
    }

    [Theory]
    [InlineData("/models/train", "")]
    [InlineData("/models/train?kind=classifier", "")]
    [InlineData("/models/train", "not-the-key")]
    [InlineData("/models/anything/activate", "")]
    public async Task Training_and_activating_need_the_api_key(string path, string apiKey)
    {
        var response = await PostAsync(path, apiKey);

        Assert.Equal(apiKey.Length == 0 ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, response.StatusCode);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if ((apiKey ?? fixture.ApiKey) is { Length: > 0 } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return fixture.Api.SendAsync(request);
    }
}
