using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Fraud.SystemTests.Integration;

/// <summary>
/// Local mode on a shared machine: the secrets of the state folder are readable by their owner only, Redis wants
/// its password, and the infrastructure processes listen on the loopback address only.
/// </summary>
[Collection(FraudSystemCollection.Name)]
[UnsupportedOSPlatform("windows")]   // local mode runs on Debian
public sealed partial class LocalModeSecurityTests(FraudSystemFixture system)
{
    private static readonly string[] InfrastructureResources = ["kafka", "postgres", "redis", "prometheus"];

    private string StateFolder =>
        system.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ExecutableResource>().Single(resource => resource.Name == "redis").WorkingDirectory;

    [Fact]
    public void Every_file_of_the_state_folder_holding_a_password_is_readable_by_its_owner_only()
    {
        var passwords = new[] { "postgres.password", "redis.password" }
            .Select(name => File.ReadAllText(Path.Combine(StateFolder, name)).Trim())
            .ToList();
        // Postgres's data folder is its own (0700, the postgres user); everything else is the AppHost's.
        var dataFolder = Path.Combine(StateFolder, "postgres") + Path.DirectorySeparatorChar;
        var holdingAPassword = Directory.EnumerateFiles(StateFolder, "*", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(dataFolder, StringComparison.Ordinal))
            .Where(file => passwords.Any(password => File.ReadAllText(file).Contains(password, StringComparison.Ordinal)))
            .Select(file => Path.GetRelativePath(StateFolder, file))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["postgres.password", "redis.conf", "redis.password"], holdingAPassword);
        Assert.All(holdingAPassword, file =>
            Assert.Equal((file, UnixFileMode.UserRead | UnixFileMode.UserWrite), (file, File.GetUnixFileMode(Path.Combine(StateFolder, file)))));
    }

    [Fact]
    public async Task Redis_answers_only_a_client_that_gives_the_password()
    {
        var address = system.RedisConnectionString.Split(',')[0].Split(':');
        var password = File.ReadAllText(Path.Combine(StateFolder, "redis.password")).Trim();
        Assert.Contains($"password={password}", system.RedisConnectionString, StringComparison.Ordinal);

        using var client = new TcpClient();
        await client.ConnectAsync(address[0], int.Parse(address[1], System.Globalization.CultureInfo.InvariantCulture));
        var stream = client.GetStream();

        Assert.StartsWith("-NOAUTH", await CommandAsync(stream, "PING"));
        Assert.StartsWith("-WRONGPASS", await CommandAsync(stream, "AUTH not-the-password"));
        Assert.Equal("+OK", await CommandAsync(stream, $"AUTH {password}"));
        Assert.Equal("+PONG", await CommandAsync(stream, "PING"));
    }

    [Fact]
    public async Task The_broker_postgres_redis_and_prometheus_listen_on_the_loopback_address_only()
    {
        var (exitCode, listening, error) = await ChildProcess.RunAsync("ss", ["-ltnpH"]);
        Assert.True(exitCode == 0, error);
        var processIds = InfrastructureResources.SelectMany(resource => ProcessTree(system.Processes.ProcessId(resource))).ToHashSet();

        var addresses = listening.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Line: line, Owners: ProcessIdField().Matches(line).Select(match => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))))
            .Where(socket => socket.Owners.Any(processIds.Contains))
            .Select(socket => socket.Line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .ToList();

        Assert.True(addresses.Count >= InfrastructureResources.Length, $"listening sockets found: {string.Join(", ", addresses)}");
        Assert.All(addresses, address => Assert.StartsWith("127.0.0.1:", address));
    }

    private static async Task<string> CommandAsync(NetworkStream stream, string command)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var reply = new StringBuilder();
        var buffer = new byte[1];
        while (!reply.ToString().EndsWith("\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer) == 1)
        {
            reply.Append((char)buffer[0]);
        }
        return reply.ToString().TrimEnd();
    }

    /// <summary>A process and all its descendants (Postgres's launcher shell, the postmaster and its workers).</summary>
    private static IEnumerable<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid))
                {
                    // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            var children = parents.Where(pair => tree.Contains(pair.Value) && !tree.Contains(pair.Key)).Select(pair => pair.Key).ToList();
            tree.UnionWith(children);
            grew = children.Count > 0;
        }
        return tree;
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex ProcessIdField();
}
