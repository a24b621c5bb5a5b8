using System.Text.RegularExpressions;
using Fraud.SystemTests.Integration;
using k8s;
using k8s.Models;

namespace Fraud.SystemTests.Deploy;

/// <summary>
/// deploy/k8s is generated from the AppHost and renders with kustomize into objects a cluster accepts: each overlay
/// is rendered with the machine's kubectl and every object loaded as its typed Kubernetes model.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string Root = ChildProcess.RepositoryRoot();
    private static readonly string[] Services = ["producer", "detector", "api"];

    private static Task<(int ExitCode, string StandardOutput, string StandardError)> Generator(params string[] args) =>
        ChildProcess.RunAsync("dotnet", ["run", "--project", Path.Combine(Root, "deploy", "Fraud.Deploy"), "--no-build", "-c", ChildProcess.BuildConfiguration, "--", .. args]);

    /// <summary>Every object of an overlay as <c>kubectl kustomize</c> renders it.</summary>
    internal static async Task<List<IKubernetesObject>> RenderAsync(string overlay) =>
        KubernetesYaml.LoadAllFromString(await RenderYamlAsync(overlay)).Cast<IKubernetesObject>().ToList();

    private static async Task<string> RenderYamlAsync(string overlay)
    {
        var (exitCode, yaml, error) = await ChildProcess.RunAsync("kubectl", ["kustomize", Path.Combine(Root, "deploy", "k8s", "overlays", overlay)]);
        Assert.True(exitCode == 0, error);
        return yaml;
    }

    /// <summary>The services an overlay deploys: the simulator only in dev.</summary>
    private static string[] ServicesOf(string overlay) => overlay == "dev" ? Services : ["detector", "api"];

    [Fact]
    public async Task The_committed_manifests_are_what_the_AppHost_generates()
    {
        var (exitCode, stdout, stderr) = await Generator("k8s", "--check");

        Assert.True(exitCode == 0, $"deploy/k8s drifted from the AppHost; regenerate it. {stderr}{stdout}");
        Assert.Contains("in sync", stdout);
    }

    [Fact]
    public async Task A_hand_edit_is_reported_as_drift_naming_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-k8s-");
        try
        {
            Assert.Equal(0, (await Generator("k8s", "--output", folder.FullName)).ExitCode);
            File.AppendAllText(Path.Combine(folder.FullName, "base", "api.yaml"), "# edited by hand\n");
            File.WriteAllText(Path.Combine(folder.FullName, "base", "extra.yaml"), "kind: ConfigMap\n");

            var (exitCode, _, stderr) = await Generator("k8s", "--check", "--output", folder.FullName);

            Assert.Equal(1, exitCode);
            Assert.Contains("changed: base/api.yaml", stderr);
            Assert.Contains("not generated: base/extra.yaml", stderr);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Every_service_is_a_deployment_with_probes_resources_and_a_service(string overlay)
    {
        var objects = await RenderAsync(overlay);

        foreach (string name in ServicesOf(overlay))
        {
            var deployment = Assert.Single(objects.OfType<V1Deployment>(), item => item.Metadata.Name == name);
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
            Assert.All(new[] { "cpu", "memory" }, resource =>
            {
                Assert.True(container.Resources.Requests.ContainsKey(resource), $"{name}: no {resource} request");
                Assert.True(container.Resources.Limits.ContainsKey(resource), $"{name}: no {resource} limit");
            });
            Assert.EndsWith($"fraud-{name}:{(overlay == "dev" ? "latest" : "1.0.0")}", container.Image);
            Assert.Contains(container.EnvFrom, source => source.ConfigMapRef?.Name == "fraud-config");
            Assert.Equal("true", deployment.Spec.Template.Metadata.Annotations["prometheus.io/scrape"]);
            var service = Assert.Single(objects.OfType<V1Service>(), item => item.Metadata.Name == name);
            Assert.Equal(container.Ports.Single().ContainerPort, service.Spec.Ports.Single().Port);
        }

        var detector = objects.OfType<V1Deployment>().Single(item => item.Metadata.Name == "detector");
        Assert.Equal("9000", detector.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Contains("partitions", detector.Metadata.Annotations["fraud/replicas"]);
        var api = objects.OfType<V1Deployment>().Single(item => item.Metadata.Name == "api");
        string modelPath = api.Spec.Template.Spec.Containers.Single().Env.Single(variable => variable.Name == "Training__ModelPath").Value;
        // The non-root API can write the bootstrap model it stores for the detectors.
        var stateMount = Assert.Single(api.Spec.Template.Spec.Containers.Single().VolumeMounts, mount => modelPath.StartsWith(mount.MountPath + "/", StringComparison.Ordinal));
        Assert.NotNull(api.Spec.Template.Spec.Volumes.Single(volume => volume.Name == stateMount.Name).EmptyDir);
        Assert.Equal(8080, objects.OfType<V1Service>().Single(item => item.Metadata.Name == "api").Spec.Ports.Single().Port);
        var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.Equal("detector", budget.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task No_secret_value_is_in_the_manifests_only_references(string overlay)
    {
        var objects = await RenderAsync(overlay);

        Assert.Empty(objects.OfType<V1Secret>());
        foreach (var container in Containers(objects))
        {
            var defined = new List<string>();
            foreach (var variable in container.Env ?? [])
            {
                if (variable.ValueFrom?.SecretKeyRef is { } secret)
                {
                    Assert.Contains(secret.Name, new[] { "fraud-secrets", "fraud-connections" });
                }

                Assert.DoesNotMatch("(?i)password=[^$;,]", variable.Value ?? string.Empty);
                // $(NAME) expands only from a variable defined earlier in the same list.
                foreach (Match reference in VariableReference().Matches(variable.Value ?? string.Empty))
                {
                    Assert.Contains(reference.Groups[1].Value, defined);
                }

                defined.Add(variable.Name);
            }
        }

        Assert.DoesNotContain("password", string.Join(' ', objects.OfType<V1ConfigMap>().SelectMany(map => map.Data.Values)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Dev_runs_the_broker_postgres_and_redis_in_the_cluster_with_volumes()
    {
        var objects = await RenderAsync("dev");

        foreach (string name in new[] { "kafka", "postgres", "redis" })
        {
            Assert.Single(objects.OfType<V1StatefulSet>(), item => item.Metadata.Name == name);
            Assert.Single(objects.OfType<V1Service>(), item => item.Metadata.Name == name);
        }

        Assert.Contains("redpanda", objects.OfType<V1StatefulSet>().Single(item => item.Metadata.Name == "kafka").Spec.Template.Spec.Containers.Single().Image);
        Assert.All(
            objects.OfType<V1StatefulSet>(),
            set => Assert.Equal("10Gi", set.Spec.VolumeClaimTemplates.Single().Spec.Resources.Requests["storage"].ToString()));
        var detector = Containers(objects, "detector").Single();
        Assert.Equal("kafka:9092", detector.Env.Single(variable => variable.Name == "ConnectionStrings__kafka").Value);
        // The services query as least-privileged logins (the detector's may only read what the API owns); the owner's
        // login is for the migrations.
        Assert.Equal("Host=postgres;Port=5432;Username=fraud_detector;Password=$(FRAUD_DETECTOR_PASSWORD);Database=fraud",
            detector.Env.Single(variable => variable.Name == "ConnectionStrings__fraud-detector").Value);
        Assert.Equal("fraud-detector-password", detector.Env.Single(variable => variable.Name == "FRAUD_DETECTOR_PASSWORD").ValueFrom.SecretKeyRef.Key);
        Assert.StartsWith("Host=postgres;", detector.Env.Single(variable => variable.Name == "ConnectionStrings__fraud-owner").Value);
        var api = Containers(objects, "api").Single();
        Assert.Equal("Host=postgres;Port=5432;Username=fraud_service;Password=$(FRAUD_SERVICE_PASSWORD);Database=fraud",
            api.Env.Single(variable => variable.Name == "ConnectionStrings__fraud").Value);
    }

    [Fact]
    public async Task Prod_reads_external_connection_strings_from_a_secret_and_scales_out_within_the_partitions()
    {
        var objects = await RenderAsync("prod");

        Assert.Empty(objects.OfType<V1StatefulSet>());
        foreach (string name in ServicesOf("prod"))
        {
            Assert.All(
                Containers(objects, name).Single().Env.Where(variable => variable.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)),
                variable => Assert.Equal("fraud-connections", variable.ValueFrom.SecretKeyRef.Name));
        }

        int replicas = objects.OfType<V1Deployment>().Single(item => item.Metadata.Name == "detector").Spec.Replicas!.Value;
        Assert.InRange(replicas, 2, 6);   // transactions.v1 has 6 partitions (Kafka:TransactionsPartitions)
        Assert.StartsWith("registry.example.com/", Containers(objects, "api").Single().Image);
    }

    [Fact]
    public async Task Prod_runs_no_simulator_and_reads_no_synthetic_labels()
    {
        string yaml = await RenderYamlAsync("prod");
        var objects = KubernetesYaml.LoadAllFromString(yaml).Cast<IKubernetesObject>().ToList();

        Assert.DoesNotContain(objects, item => ((IMetadata<V1ObjectMeta>)item).Metadata.Name == "producer");
        Assert.DoesNotContain("fraud-producer", yaml);
        Assert.DoesNotContain("transactions.labels.v1", yaml);   // no reader, no writer of the simulator's labels
        // The API's label reader is off (its own default would read the simulator's topic).
        Assert.Equal("", Containers(objects, "api").Single().Env.Single(variable => variable.Name == "Api__LabelsTopic").Value ?? "");
    }

    [Fact]
    public async Task Dev_runs_the_simulator_and_the_api_stores_its_labels()
    {
        var objects = await RenderAsync("dev");

        Assert.EndsWith("fraud-producer:latest", Containers(objects, "producer").Single().Image);
        Assert.Equal("transactions.labels.v1", Containers(objects, "api").Single().Env.Single(variable => variable.Name == "Api__LabelsTopic").Value);
    }

    [Theory]
    [InlineData("Producer")]
    [InlineData("Detector")]
    [InlineData("Api")]
    public async Task Each_service_project_publishes_the_image_the_overlays_deploy(string project)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("dotnet",
            ["msbuild", Path.Combine(Root, $"Fraud.{project}", $"Fraud.{project}.csproj"), "-getProperty:ContainerRepository", "-getProperty:ContainerImageTags"]);

        Assert.True(exitCode == 0, stderr);
        var properties = System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("Properties");
        Assert.Equal($"fraud-{project.ToLowerInvariant()}", properties.GetProperty("ContainerRepository").GetString());
        Assert.Equal(["1.0.0", "latest"], properties.GetProperty("ContainerImageTags").GetString()!.Split(';'));
    }

    private static IEnumerable<V1Container> Containers(List<IKubernetesObject> objects, string? name = null) =>
        objects.OfType<V1Deployment>().Where(item => name is null || item.Metadata.Name == name).SelectMany(item => item.Spec.Template.Spec.Containers)
            .Concat(objects.OfType<V1StatefulSet>().Where(item => name is null || item.Metadata.Name == name).SelectMany(item => item.Spec.Template.Spec.Containers));

    [GeneratedRegex(@"\$\(([A-Z0-9_]+)\)")]
    private static partial Regex VariableReference();
}
