using Fraud.Core;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>
/// Alerts for the API tests on a whole system: raised through the pipeline, or written straight into <c>fraud_alerts</c>
/// (<see cref="TestAlerts"/>) when a test needs exact values that the detector would not produce on demand.
/// </summary>
internal static class ApiTestData
{
    public static Task InsertAsync(this FraudSystem system, params Alert[] alerts) =>
        TestAlerts.InsertAsync(system.PostgresConnectionString, alerts);

    /// <summary>Produces a transaction above the detector's threshold and waits until the API serves its alert.</summary>
    public static async Task<Transaction> RaiseThroughPipelineAsync(this FraudSystem system)
    {
        var transaction = NewTransaction();
        await system.ProduceAsync(transaction);
        await FraudSystemFixture.EventuallyAsync(
            async () => (await system.Api.GetAsync($"/alerts/{transaction.TxId}")).IsSuccessStatusCode ? "served" : null,
            $"alert {transaction.TxId} from GET /alerts/{{tx_id}}");
        return transaction;
    }

    /// <summary>Above the detector's amount threshold (1000), so the pipeline raises an alert for it.</summary>
    public static Transaction NewTransaction() =>
        TransactionMessages.ContractExampleTransaction with { TxId = $"tx_api_{Guid.NewGuid():N}", Amount = 4321.00m };

    /// <summary>Posts feedback the way the console does: with the fixture's key when <paramref name="apiKey"/> is
    /// null, with no key when it is empty.</summary>
    private const int MaxRequestBodyBytes = 16 * 1024; // the API's limit (ApiOptions.MaxRequestBodyBytes)

    public static Task<HttpResponseMessage> PostFeedbackAsync(this FraudSystem system, string txId, string body, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/alerts/{txId}/feedback")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        // The server drops the connection after refusing a body it did not read (413); do not pool it for the next request.
        request.Headers.ConnectionClose = body.Length > MaxRequestBodyBytes;
        if ((apiKey ?? system.ApiKey) is { Length: > 0 } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        return system.Api.SendAsync(request);
    }
}
