using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Core.Decision;
using Fraud.Core.Features;

namespace Fraud.Detector.Offline;

/// <summary>
/// The offline scoring output, one JSON object per line in input order:
/// <c>{"tx_id":"tx_1","risk":0.12,"score":-0.41,"alert":false,"reason":""}</c>. <c>score</c> is null without a model;
/// <c>reason</c> is filled for alerts only. Risk and score keep six decimals. With features, each line also has
/// <c>"features":{"amount_log":4.61,…}</c>, every feature of <see cref="FeatureSchema"/> as the decision saw it.
/// </summary>
internal sealed class ScoreLineWriter : IDisposable
{
    private const int FlushBytes = 1 << 16;

    // Relaxed escaping: the file is data, not HTML, and reasons read better with their apostrophes.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes * 2);
    private readonly Utf8JsonWriter _json;
    private readonly JsonEncodedText[]? _featureNames;

    /// <param name="output">Where the lines go.</param>
    /// <param name="withFeatures">Whether each line carries the transaction's feature vector.</param>
    public ScoreLineWriter(Stream output, bool withFeatures = false)
    {
        _output = output;
        _json = new Utf8JsonWriter(_buffer, Options);
        _featureNames = withFeatures ? FeatureSchema.Names.Select(name => JsonEncodedText.Encode(name)).ToArray() : null;
    }

    /// <param name="txId">The transaction.</param>
    /// <param name="verdict">Its verdict.</param>
    /// <param name="features">Its full feature vector; written only when the writer was made with features.</param>
    public void Write(string txId, in Verdict verdict, ReadOnlySpan<float> features = default)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("tx_id"u8, txId);
        _json.WriteNumber("risk"u8, Rounded(verdict.Risk));
        if (verdict.Score is { } score)
        {
            _json.WriteNumber("score"u8, Rounded(score));
        }
        else
        {
            _json.WriteNull("score"u8);
        }

        _json.WriteBoolean("alert"u8, verdict.IsAlert);
        _json.WriteString("reason"u8, verdict.IsAlert ? verdict.Reason() : string.Empty);
        if (_featureNames is not null)
        {
            _json.WriteStartObject("features"u8);
            for (int i = 0; i < _featureNames.Length; i++)
            {
                _json.WriteNumber(_featureNames[i], features[i]);
            }

            _json.WriteEndObject();
        }

        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= FlushBytes)
        {
            Flush();
        }
    }

    /// <summary>A risk or score as the file keeps it.</summary>
    public static double Rounded(double value) => Math.Round(value, 6);

    public void Flush()
    {
        _output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        _output.Flush();
    }

    public void Dispose()
    {
        Flush();
        _json.Dispose();
    }
}

/// <summary>What <c>evaluate</c> reads of a score line; <c>score</c> and <c>reason</c> do not enter the metrics.</summary>
internal sealed class ScoreLine
{
    public string? TxId { get; set; }

    public double? Risk { get; set; }

    public bool? Alert { get; set; }
}

/// <summary>Source-generated reading of score lines and writing of evaluation reports.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ScoreLine))]
[JsonSerializable(typeof(EvaluationJson))]
[JsonSerializable(typeof(BacktestJson))]
internal sealed partial class OfflineJsonContext : JsonSerializerContext;
