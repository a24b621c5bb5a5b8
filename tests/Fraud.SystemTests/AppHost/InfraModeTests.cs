using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Fraud.SystemTests.AppHost;

/// <summary>
/// <c>Infra:Mode=auto</c> (the default) chooses containers when a container engine answers <c>docker info</c>, and local
/// processes otherwise (README, "Infrastructure modes"). The AppHost declares its resources (nothing starts) with a stub
/// client named <c>docker</c>, given by its path through <c>ASPIRE_CONTAINER_RUNTIME</c> (the AppHost's setting for which
/// client to ask, e.g. <c>podman</c>): changing PATH would change it for every test running alongside.
/// </summary>
[UnsupportedOSPlatform("windows")]   // the stub is a shell script
public sealed class InfraModeTests : IDisposable
{
    private static readonly string[] Stores = ["kafka", "postgres", "redis"];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-infra-mode-");

    [Fact]
    public async Task Auto_mode_declares_containers_when_a_container_engine_answers_docker_info()
    {
        var docker = Stub("""echo "$@" >> "$0.asked"; [ "$1" = info ] && echo 27.3.1""");

        Assert.Equal(Stores, await StoresInContainersAsync(docker));
        Assert.StartsWith("info", File.ReadAllText(docker + ".asked"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_mode_declares_local_processes_when_the_engine_does_not_answer_or_there_is_no_client()
    {
        // What docker prints with its client installed and no engine running.
        var noEngine = Stub("""echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1""");

        Assert.Empty(await StoresInContainersAsync(noEngine));
        Assert.Empty(await StoresInContainersAsync(Path.Combine(_folder.FullName, "no-such-client", "docker")));
    }

    /// <summary>Which of the broker, Postgres and Redis the AppHost declares as container images in auto mode.</summary>
    private async Task<IReadOnlyList<string>> StoresInContainersAsync(string runtime)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Fraud_AppHost>(
            ["--Infra:Mode=auto", $"--ASPIRE_CONTAINER_RUNTIME={runtime}", $"--Infra:StateDir={_folder.CreateSubdirectory("state").FullName}"]);
        return builder.Resources.Where(resource => Stores.Contains(resource.Name) && resource.Annotations.OfType<ContainerImageAnnotation>().Any())
            .Select(resource => resource.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>An executable <c>docker</c> in a folder of its own that runs <paramref name="script"/>.</summary>
    private string Stub(string script)
    {
        var path = Path.Combine(_folder.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName, "docker");
        File.WriteAllText(path, $"#!/bin/sh\n{script}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
