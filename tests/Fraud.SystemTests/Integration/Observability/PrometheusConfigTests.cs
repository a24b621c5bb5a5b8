namespace Fraud.SystemTests.Integration.Observability;

/// <summary><c>deploy/prometheus</c> is valid for Prometheus's own checker, and its alert rules pass their unit tests
/// (<c>deploy/prometheus/tests</c>), with promtool from Debian's prometheus package.</summary>
public sealed class PrometheusConfigTests
{
    private static readonly string Deploy = Path.Combine(ChildProcess.RepositoryRoot(), "deploy", "prometheus");

    [Fact]
    public async Task Promtool_accepts_the_deployment_config_and_its_rule_files()
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("promtool", ["check", "config", Path.Combine(Deploy, "prometheus.yml")]);

        Assert.True(exitCode == 0, $"promtool check config exited {exitCode}: {stdout}{stderr}");
    }

    [Fact]
    public async Task Promtool_accepts_every_rule_file()
    {
        var files = Directory.GetFiles(Path.Combine(Deploy, "rules"), "*.yml");
        Assert.NotEmpty(files);

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("promtool", ["check", "rules", .. files]);

        Assert.True(exitCode == 0, $"promtool check rules exited {exitCode}: {stdout}{stderr}");
    }

    [Fact]
    public async Task The_alert_rules_fire_and_clear_as_their_unit_tests_say()
    {
        var tests = Directory.GetFiles(Path.Combine(Deploy, "tests"), "*.test.yml");
        Assert.NotEmpty(tests);

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("promtool", ["test", "rules", .. tests]);

        Assert.True(exitCode == 0, $"promtool test rules exited {exitCode}: {stdout}{stderr}");
    }
}
