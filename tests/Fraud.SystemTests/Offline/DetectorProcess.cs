using Fraud.SystemTests.Integration;

namespace Fraud.SystemTests.Offline;

/// <summary>Runs the built <c>Fraud.Detector.dll</c> as a child process, the way a user runs its offline verbs.</summary>
internal static class DetectorProcess
{
    /// <summary>The detector built beside these tests, in the same configuration.</summary>
    public static string Dll { get; } = Path.Combine(
        ChildProcess.RepositoryRoot(), "Fraud.Detector", "bin", ChildProcess.BuildConfiguration, "net10.0", "Fraud.Detector.dll");

    /// <summary>The default rule set, copied beside the detector.</summary>
    public static string DefaultRules => Path.Combine(Path.GetDirectoryName(Dll)!, "rules.json");

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) =>
        await ChildProcess.RunAsync("dotnet", [Dll, .. args]);
}
