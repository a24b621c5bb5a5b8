using System.Text;
using System.Text.Json;

namespace Fraud.AppHost.Infrastructure.Prometheus;

/// <summary>
/// The prometheus.yml the AppHost runs: the jobs of <c>deploy/prometheus/prometheus.yml</c>, but with targets read
/// from one file_sd file per job (kept current by <see cref="PrometheusTargetsWriter"/>), since ports are only
/// known at run time. Short intervals: this Prometheus watches a local system, tests wait for its first scrapes.
/// </summary>
internal static class PrometheusConfig
{
    public const string FileName = "prometheus.yml";

    public static void Write(string folder, IEnumerable<string> jobs, string rulesGlob, string targetsFolder)
    {
        var yaml = new StringBuilder()
            .AppendLine("# Rendered by the AppHost at start (Fraud.AppHost/Infrastructure/Prometheus/PrometheusConfig.cs); edits are overwritten.")
            .AppendLine("global:")
            .AppendLine("  scrape_interval: 5s")
            .AppendLine("  evaluation_interval: 5s")
            .AppendLine("rule_files:")
            .AppendLine($"  - {Quote(rulesGlob)}")
            .AppendLine("scrape_configs:");
        foreach (var job in jobs)
        {
            yaml.AppendLine($"  - job_name: {Quote(job)}")
                .AppendLine("    file_sd_configs:")
                .AppendLine($"      - files: [{Quote(targetsFolder.TrimEnd('/') + "/" + job + ".json")}]")
                .AppendLine("        refresh_interval: 5s");
        }
        WriteAtomically(Path.Combine(folder, FileName), yaml.ToString());
    }

    /// <summary>A file_sd target file: each target with its labels (e.g. the replica's resource id).</summary>
    public static void WriteTargets(string file, IEnumerable<(string Target, string Replica)> targets)
    {
        var groups = targets.OrderBy(t => t.Replica, StringComparer.Ordinal)
            .Select(t => new Dictionary<string, object>
            {
                ["targets"] = new[] { t.Target },
                ["labels"] = new Dictionary<string, string> { ["replica"] = t.Replica },
            });
        WriteAtomically(file, JsonSerializer.Serialize(groups));
    }

    // Prometheus re-reads target files when they change: it must never see a half-written one.
    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value); // a JSON string is a YAML string
}
