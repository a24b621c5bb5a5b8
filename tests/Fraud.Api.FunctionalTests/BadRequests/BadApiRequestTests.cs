using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Fraud.Api.FunctionalTests.BadRequests;

/// <summary>
/// 10,000 randomized bad requests (seeded, so a failure can be replayed): malformed JSON, wrong types, bodies over
/// the limit, bad query strings and cursors, unknown routes, wrong or missing API keys, wrong methods, random bytes
/// as a body and as the whole request. The API never answers 5xx, every 400 is problem+json, and afterwards it
/// still answers correctly. Runs on the shared API (on Kestrel, as deployed): it breaks nothing (a request could only
/// change state with the right key and a valid body, which the generator never makes).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadApiRequestTests(ApiFixture fixture, ITestOutputHelper output)
{
    private const int Requests = 10_000;
    private const int Seed = 9;

    [Fact]
    public async Task Ten_thousand_randomized_bad_requests_never_get_a_5xx_and_the_api_still_answers_correctly()
    {
        var alert = TestAlerts.NewAlert(TestAlerts.NewUserId(), DateTimeOffset.UtcNow.AddMinutes(-1));
        await fixture.InsertAsync(alert);
        string before = await fixture.Api.GetStringAsync($"/alerts/{alert.TxId}");
        var requests = new BadRequestGenerator(Seed, fixture.ApiKey).Take(Requests).ToList();

        var answers = new List<BadRequestAnswer>();
        foreach (var chunk in requests.Chunk(8))
        {
            answers.AddRange(await Task.WhenAll(chunk.Select(SendAsync)));
        }

        var counts = answers.GroupBy(answer => answer.Status).OrderBy(group => group.Key)
            .Select(group => $"{(group.Key == 0 ? "closed" : group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))} ×{group.Count():N0}");
        // The figures docs/reliability.md tabulates.
        output.WriteLine($"{Requests:N0} randomized bad API requests (seed {Seed}): answers {string.Join(", ", counts)}"
            + " (closed: the server dropped the connection, after a body over the limit or raw bytes)");
        Assert.Empty(answers.Where(answer => answer.Status >= 500).Select(answer => answer.Describe()));
        Assert.Empty(answers.Where(answer => answer.Status == 400 && answer.Request.Kind != BadRequestKind.RawBytes && !answer.IsProblem)
            .Select(answer => answer.Describe()));
        Assert.Empty(answers.Where(answer => answer.Status == 0 && !answer.Request.MayBeDropped).Select(answer => answer.Describe()));
        // No bad write was accepted. (/health answers every method, as ASP.NET Core's health checks do; it writes nothing.)
        Assert.Empty(answers.Where(answer => answer.Request.Method is "POST" or "PUT" && answer.Request.Path != "/health"
            && answer.Status is >= 200 and < 300).Select(answer => answer.Describe()));

        // Still correct: the same alert, a page of alerts, health, a verdict recorded.
        Assert.Equal(before, await fixture.Api.GetStringAsync($"/alerts/{alert.TxId}"));
        Assert.Equal(alert.TxId, Assert.Single(FraudSystem.ParseAlerts(await fixture.Api.GetByteArrayAsync($"/alerts?user_id={alert.UserId}"))).TxId);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync("/health")).StatusCode);
        using var feedback = new HttpRequestMessage(HttpMethod.Post, $"/alerts/{alert.TxId}/feedback") { Content = JsonContent.Create(new { label = "legit" }) };
        feedback.Headers.Add("X-Api-Key", fixture.ApiKey);
        using var verdict = await fixture.Api.SendAsync(feedback);
        Assert.Equal(HttpStatusCode.OK, verdict.StatusCode);
        Assert.Contains("\"status\":\"false_positive\"", await verdict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<BadRequestAnswer> SendAsync(BadRequest request)
    {
        if (request.Kind == BadRequestKind.RawBytes)
        {
            return new BadRequestAnswer(request, await SendRawAsync(request.Body!), IsProblem: false, Body: "");
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } contentType)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }
        // The server drops a connection after refusing a body over the limit: keep such requests off the
        // connections other requests reuse.
        message.Headers.ConnectionClose = request.MayBeDropped;
        if (request.ApiKey is { } key)
        {
            message.Headers.TryAddWithoutValidation("X-Api-Key", key);
        }

        try
        {
            using var response = await fixture.Api.SendAsync(message);
            string text = await response.Content.ReadAsStringAsync();
            return new BadRequestAnswer(request, (int)response.StatusCode,
                response.Content.Headers.ContentType?.MediaType == "application/problem+json", text.Length > 300 ? text[..300] : text);
        }
        catch (HttpRequestException) when (request.MayBeDropped)
        {
            return new BadRequestAnswer(request, 0, IsProblem: false, Body: "");
        }
    }

    /// <summary>Bytes that are not HTTP, straight onto a connection: the status line of any answer, 0 if none.</summary>
    private async Task<int> SendRawAsync(byte[] bytes)
    {
        var address = fixture.Api.BaseAddress!;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read = await stream.ReadAtLeastAsync(buffer, 12, throwOnEndOfStream: false, timeout.Token);
            string head = Encoding.ASCII.GetString(buffer, 0, read);
            return head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out int status) ? status : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
