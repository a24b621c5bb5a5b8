using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Rules;

namespace Fraud.Detector.Detection;

/// <summary>
/// Reads the files a decision is made of — model, rule set, decision options — for the online service and the
/// offline verbs alike; every problem becomes a <see cref="DetectionFileException"/> that names the file.
/// </summary>
internal static class DetectionFiles
{
    public static IsolationForest ReadModel(string path)
    {
        try
        {
            return IsolationForest.Deserialize(Read(path));
        }
        catch (InvalidDataException exception)
        {
            throw new DetectionFileException($"{path}: not a usable model file: {exception.Message}");
        }
    }

    public static RuleSet ReadRules(string path) => ParseRules(path, Read(path));

    /// <param name="origin">Where the definition comes from, for the message: a path, or a stored version.</param>
    public static RuleSet ParseRules(string origin, ReadOnlySpan<byte> definition) =>
        RuleSetJson.TryParse(definition, out var rules, out var errors)
            ? rules
            : throw new DetectionFileException($"{origin}: invalid rule set:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");

    public static DecisionOptions ReadDecision(string path) =>
        DecisionOptionsJson.TryParse(Read(path), out var options, out var errors)
            ? options
            : throw new DetectionFileException($"{path}: invalid decision options:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");

    private static byte[] Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new DetectionFileException($"{path}: cannot read: {exception.Message}");
        }
    }
}

/// <summary>A model, rule or decision file that cannot be used, with a message naming it and why.</summary>
internal sealed class DetectionFileException(string message) : Exception(message);
