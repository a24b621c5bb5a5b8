using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Core;

namespace Fraud.Api;

/// <summary>
/// Writes every <see cref="Alert"/> in a response through Core's <see cref="AlertJson"/>, so the API, the
/// <c>alerts.v1</c> topic and Redis share one shape (the seed's), wherever an alert is nested.
/// </summary>
internal sealed class AlertJsonConverter : JsonConverter<Alert>
{
    public override void Write(Utf8JsonWriter writer, Alert value, JsonSerializerOptions options) =>
        writer.WriteRawValue(AlertJson.SerializeToUtf8Bytes(value), skipInputValidation: true);

    // No request body of this API carries an alert.
    public override Alert Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The API does not read alerts from requests.");
}
