using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Fraud.LoadTest;

/// <summary>What the figures were measured on, and with which build.</summary>
internal sealed record Machine(int Cores, double MemoryGb, string Cpu, string Os, string Runtime, string Commit)
{
    public static Machine Describe() => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        CpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        BuildCommit());

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryGb:0.#} GB, {Os}, {Runtime}, load tool built from {Commit}";

    /// <summary>The 1-minute load average (runnable threads), or null off Linux: how busy the machine was.</summary>
    public static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>The git commit the SDK stamped into the informational version (<c>1.0.0+sha</c>), if any.</summary>
    private static string BuildCommit()
    {
        string? version = typeof(Machine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+') ?? -1;
        return plus >= 0 ? version![(plus + 1)..] : "unknown commit";
    }
}
