using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Rules;
using Fraud.Detector.Detection;

namespace Fraud.Detector.Offline;

/// <summary>Opens the offline verbs' files; a problem becomes a <see cref="BadInputException"/> that names the file.</summary>
internal static class DetectionInputs
{
    public static IsolationForest? Model(FileInfo? file) => file is null ? null : Read(() => DetectionFiles.ReadModel(file.ToString()));

    public static RuleSet? Rules(FileInfo? file) => file is null ? null : Read(() => DetectionFiles.ReadRules(file.ToString()));

    public static DecisionOptions Decision(FileInfo? file) => file is null ? new DecisionOptions() : Read(() => DetectionFiles.ReadDecision(file.ToString()));

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
