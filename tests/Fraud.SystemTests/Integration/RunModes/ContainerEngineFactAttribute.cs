using System.ComponentModel;
using System.Diagnostics;

namespace Fraud.SystemTests.Integration.RunModes;

/// <summary>
/// A fact that needs a container engine (Docker or Podman): where none answers, it is skipped and the run says why
/// ("skipped: no container engine …"), rather than passing unseen or failing for want of one. Asks as the AppHost's
/// auto mode does: <c>docker info</c>, or the client <c>ASPIRE_CONTAINER_RUNTIME</c> names.
/// </summary>
public sealed class ContainerEngineFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> NoEngine = new(Probe);

    public ContainerEngineFactAttribute()
    {
        if (NoEngine.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Null when the engine answers; otherwise why not.</summary>
    private static string? Probe()
    {
        string runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? "docker";
        try
        {
            using var info = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var error = info.StandardError.ReadToEndAsync();
            if (!info.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                info.Kill(entireProcessTree: true);
                return $"no container engine: `{runtime} info` did not answer within 10 s";
            }
            return info.ExitCode == 0 ? null : $"no container engine: `{runtime} info` exited {info.ExitCode}: {error.Result.Trim()}";
        }
        catch (Win32Exception)
        {
            return $"no container engine: no `{runtime}` client on PATH";
        }
    }
}
