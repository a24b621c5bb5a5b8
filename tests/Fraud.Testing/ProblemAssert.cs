using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Fraud.Testing;

/// <summary>The API's refusals, as every test of them checks one.</summary>
public static class ProblemAssert
{
    /// <summary>A 4xx answered as problem+json whose detail says <paramref name="detailContains"/>.</summary>
    public static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }
}
