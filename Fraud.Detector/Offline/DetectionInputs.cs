using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Rules;

namespace Fraud.Detector.Offline;

/// <summary>Loads the files a decision is made of, turning any problem into a <see cref="BadInputException"/> that names the file.</summary>
internal static class DetectionInputs
{
    public static IsolationForest? Model(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return IsolationForest.Deserialize(Read(file));
        }
        catch (InvalidDataException exception)
        {
            throw new BadInputException($"{file}: not a usable model file: {exception.Message}");
        }
    }

    public static RuleSet? Rules(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        return RuleSetJson.TryParse(Read(file), out var rules, out var errors)
            ? rules
            : throw new BadInputException($"{file}: invalid rule set:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
    }

    public static DecisionOptions Decision(FileInfo? file)
    {
        if (file is null)
        {
            return new DecisionOptions();
        }

        return DecisionOptionsJson.TryParse(Read(file), out var options, out var errors)
            ? options
            : throw new BadInputException($"{file}: invalid decision options:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
    }

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

    private static byte[] Read(FileInfo file)
    {
        try
        {
            return File.ReadAllBytes(file.FullName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{file}: cannot read: {exception.Message}");
        }
    }
}
