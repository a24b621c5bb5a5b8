namespace Fraud.AppHost.Infrastructure;

/// <summary>Finds the Debian binaries local mode runs, with an error that says how to get them.</summary>
internal static class LocalTools
{
    public static bool RunningAsRoot => Environment.UserName == "root";

    public static string PostgresBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root)
                .Where(dir => File.Exists(Path.Combine(dir, "bin", "postgres")))
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw Missing("PostgreSQL server", "postgresql")
            : Path.Combine(newest, "bin");
    }

    public static string RedisServer() => FindOnPath("redis-server") ?? throw Missing("redis-server", "redis-server");

    public static string Prometheus() => FindOnPath("prometheus") ?? throw Missing("Prometheus server", "prometheus");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static DistributedApplicationException Missing(string what, string package) =>
        new($"Local infrastructure mode needs the {what} ('apt-get install -y {package}'); ./run.sh and ./test.sh install it.");
}
