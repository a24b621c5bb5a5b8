using System.Reflection;

namespace Fraud.AppHost.Infrastructure.Broker;

/// <summary>
/// Fraud.LocalKafka (librdkafka's mock cluster behind a TCP port) as a local process, for machines with no
/// container runtime. Memory only; the topics are created at start from the resource's topic annotations.
/// </summary>
public sealed class LocalKafkaResource(string name, string assemblyPath, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    internal string AssemblyPath => assemblyPath;
    internal EndpointReference PrimaryEndpoint => new(this, EndpointName);

    // 127.0.0.1, not localhost: librdkafka tries IPv6 first and the proxy listens on IPv4 only.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");

    /// <summary>The AppHost builds Fraud.LocalKafka (a project reference) in its own configuration.</summary>
    internal static string LocateAssembly()
    {
        var configuration = typeof(LocalKafkaResource).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var projectDirectory = Path.GetDirectoryName(new Projects.Fraud_LocalKafka().ProjectPath)!;
        var assembly = Path.Combine(projectDirectory, "bin", configuration, "net10.0", "Fraud.LocalKafka.dll");
        return File.Exists(assembly)
            ? assembly
            : throw new DistributedApplicationException($"{assembly} is missing: build the AppHost first (dotnet build Fraud.AppHost).");
    }
}
