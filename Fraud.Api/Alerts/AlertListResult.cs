using System.Text.Json;
using Fraud.Core;

namespace Fraud.Api.Alerts;

/// <summary>A JSON array of alerts, each written by Core's <see cref="AlertJson"/> so the API, the alerts topic
/// and Redis share one shape.</summary>
internal sealed class AlertListResult(IReadOnlyList<Alert> alerts) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(httpContext.Response.BodyWriter);
        json.WriteStartArray();
        foreach (var alert in alerts)
        {
            json.WriteRawValue(AlertJson.SerializeToUtf8Bytes(alert), skipInputValidation: true);
        }
        json.WriteEndArray();
        await json.FlushAsync(httpContext.RequestAborted);
    }
}
