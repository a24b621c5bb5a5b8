using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Rules;
using Fraud.Detector.Detection;

namespace Fraud.Detector.Offline;

/// <summary>Opens the offline verbs' files; a problem becomes a <see cref="BadInputException"/> that names the file.</summary>
internal static class DetectionInputs
{
    public static IsolationForest? Model(FileInfo? file) => file is null ? null : Read(() => DetectionFiles.ReadModel(file.ToString()));

    public static RuleSet? Rules(FileInfo? file) => file is null ? null : Read(() => DetectionFiles.ReadRules(file.ToString()));

    public static GradientBoostedClassifier? Classifier(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return GradientBoostedClassifier.Deserialize(File.ReadAllBytes(file.FullName));
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{file}: not a usable classifier model file: {exception.Message}");
        }
    }

    public static DecisionOptions Decision(FileInfo? file) => file is null ? new DecisionOptions() : Read(() => DetectionFiles.ReadDecision(file.ToString()));

    /// <param name="model">The model, if any.</param>
    /// <param name="rules">The rule set, if any.</param>
    /// <param name="options">The decision options.</param>
    /// <param name="classifier">The supervised classifier, if any.</param>
    /// <param name="side">Which detector this is, e.g. "candidate", when a command builds more than one.</param>
    public static DecisionEngine Engine(
        IsolationForest? model, RuleSet? rules, DecisionOptions options, GradientBoostedClassifier? classifier = null, string? side = null)
    {
        try
        {
            return new DecisionEngine(model, rules, options, classifier: classifier);
        }
        catch (ArgumentException exception)
        {
            throw new BadInputException(side is null ? exception.Message : $"{side}: {exception.Message}");
        }
    }

    /// <summary>What a detector is made of, by version: "model if-… + rules v3 + classifier gb-…".</summary>
    public static string Describe(IsolationForest? model, RuleSet? rules, GradientBoostedClassifier? classifier = null) =>
        ((model?.Version, rules?.Version) switch
        {
            ({ } m, { } r) => $"model {m} + rules {r}",
            ({ } m, null) => $"model {m} (forest only)",
            (null, { } r) => $"rules {r} (rules only)",
            _ => "nothing",
        }) + (classifier is null ? string.Empty : $" + classifier {classifier.Version}");

    public static FileStream OpenInput(FileInfo file)
    {
        try
        {
            return new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{file}: cannot read: {exception.Message}");
        }
    }

    public static FileStream CreateOutput(FileInfo file)
    {
        try
        {
            return new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{file}: cannot write: {exception.Message}");
        }
    }

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DetectionFileException exception)
        {
            throw new BadInputException(exception.Message);
        }
    }
}
