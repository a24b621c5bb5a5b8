namespace Fraud.Testing;

/// <summary>
/// A system's own model and rule files in a temporary folder: the API trains its bootstrap model into
/// <see cref="ModelPath"/> at start-up and watches it, so a test can score offline with exactly the same files
/// or change the model under a running detector. The rules (which the API stores in Postgres at its first
/// start, the version every test system begins with) are <c>test-rules.json</c>: an earlier default set (absolute amounts) plus
/// <c>amount_above_threshold</c> (any amount from 1000 alerts).
/// </summary>
public sealed class DetectorFiles : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-detector-files-");

    /// <summary>The test rule set, copied beside the binaries of whoever references this project.</summary>
    public static string TestRulesFile => Path.Combine(AppContext.BaseDirectory, "test-rules.json");

    public DetectorFiles()
    {
        File.Copy(TestRulesFile, RulesPath);
    }

    public string ModelPath => Path.Combine(_folder.FullName, "iforest.model");

    public string RulesPath => Path.Combine(_folder.FullName, "rules.json");

    /// <summary>The API's settings that point it (which stores them for the detectors) at these files.</summary>
    public IReadOnlyDictionary<string, string> ApiSettings => new Dictionary<string, string>
    {
        ["Training:ModelPath"] = ModelPath,
        ["Training:RulesPath"] = RulesPath,
        ["Training:BootstrapTransactions"] = "20000",
    };

    /// <summary>The same settings as AppHost arguments (the AppHost passes <c>Training:*</c> to the API).</summary>
    public string[] AppHostArgs => [.. ApiSettings.Select(setting => $"--{setting.Key}={setting.Value}")];

    public void Dispose() => _folder.Delete(recursive: true);
}
