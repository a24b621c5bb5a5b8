using k8s;
using k8s.Models;

namespace Fraud.SystemTests.Deploy;

/// <summary>
/// The rendered overlays are hardened: every pod meets the Kubernetes "restricted" Pod Security Standard (checked
/// field by field, as the admission controller would), writes only to the volumes its image needs, and NetworkPolicies
/// let only the services that use them reach Postgres, Redis and the broker.
/// </summary>
public sealed class KubernetesHardeningTests
{
    private const string Anyone = "anyone";
    private const string AnyNamespace = "pods of any namespace";

    /// <summary>The volume types the restricted standard allows (no hostPath, no other in-tree driver).</summary>
    private static readonly string[] RestrictedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    private static Task<List<IKubernetesObject>> RenderAsync(string overlay) => KubernetesManifestTests.RenderAsync(overlay);

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Every_pod_meets_the_restricted_pod_security_standard(string overlay)
    {
        var pods = Pods(await RenderAsync(overlay));

        Assert.Equal(overlay == "dev" ? 6 : 2, pods.Count);   // prod: no simulator, no in-cluster infrastructure
        Assert.All(pods, pod =>
        {
            var violations = RestrictedViolations(pod.Spec).ToList();
            Assert.True(violations.Count == 0, $"{pod.Name}: {string.Join("; ", violations)}");
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Every_pod_has_a_read_only_root_no_service_account_token_and_writes_only_to_its_volumes(string overlay)
    {
        var pods = Pods(await RenderAsync(overlay));
        // Where each image writes: .NET its diagnostics socket in /tmp (and the API the bootstrap model),
        // Postgres its socket and lock file, rpk its redpanda.yaml; data goes to the StatefulSets' claims.
        var expected = new Dictionary<string, string[]>
        {
            ["producer"] = ["/tmp"],
            ["detector"] = ["/tmp"],
            ["api"] = ["/tmp", "/var/lib/fraud"],
            ["postgres"] = ["/tmp", "/var/lib/postgresql", "/var/run/postgresql"],
            ["redis"] = ["/data"],
            ["kafka"] = ["/etc/redpanda", "/tmp", "/var/lib/redpanda/data"],
        };

        foreach (var pod in pods)
        {
            Assert.False(pod.Spec.AutomountServiceAccountToken ?? true, $"{pod.Name}: the service-account token is mounted");
            var container = Assert.Single(pod.Spec.Containers);
            Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem, $"{pod.Name}: the root filesystem is writable");
            Assert.Equal(expected[pod.Name], container.VolumeMounts.Select(mount => mount.MountPath).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Redis_saves_the_detectors_state_on_a_volume_of_its_own()
    {
        var redis = Assert.Single((await RenderAsync("dev")).OfType<V1StatefulSet>(), set => set.Metadata.Name == "redis");

        var claim = Assert.Single(redis.Spec.VolumeClaimTemplates);
        var container = Assert.Single(redis.Spec.Template.Spec.Containers);
        Assert.Equal("/data", Assert.Single(container.VolumeMounts, mount => mount.Name == claim.Metadata.Name).MountPath);
        Assert.Contains("--save", string.Join(' ', container.Args));   // snapshots to /data (the image's working folder)
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task No_pod_accepts_a_connection_unless_a_policy_allows_it(string overlay)
    {
        var objects = await RenderAsync(overlay);

        Assert.Contains(objects.OfType<V1NetworkPolicy>(), policy =>
            policy.Spec.PodSelector.MatchLabels is null or { Count: 0 } && policy.Spec.PodSelector.MatchExpressions is null or { Count: 0 }
            && policy.Spec.PolicyTypes.SequenceEqual(["Ingress"]) && policy.Spec.Ingress is null or { Count: 0 });
        Assert.Equal([(Anyone, 8080)], AllowedIn(objects, "api"));
        Assert.Equal([(AnyNamespace, 9000)], AllowedIn(objects, "detector"));   // the cluster's Prometheus scrapes it
        if (overlay == "dev")   // prod runs no simulator
        {
            Assert.Equal([(AnyNamespace, 8080)], AllowedIn(objects, "producer"));
        }
    }

    [Fact]
    public async Task Only_the_services_that_use_them_reach_postgres_redis_and_the_broker()
    {
        var objects = await RenderAsync("dev");

        Assert.Equal([("api", 5432), ("detector", 5432)], AllowedIn(objects, "postgres"));
        Assert.Equal([("api", 6379), ("detector", 6379)], AllowedIn(objects, "redis"));
        Assert.Equal([("api", 9092), ("detector", 9092), ("producer", 9092)], AllowedIn(objects, "kafka"));
    }

    /// <summary>The Pod Security Standard "restricted" (Kubernetes 1.25+), every control of it, baseline included.</summary>
    private static IEnumerable<string> RestrictedViolations(V1PodSpec pod)
    {
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true)
        {
            yield return "shares a host namespace";
        }

        if (pod.SecurityContext?.RunAsUser == 0)
        {
            yield return "pod runAsUser is 0";
        }

        if (pod.SecurityContext?.Sysctls is { Count: > 0 })
        {
            yield return "sets sysctls";
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            var type = RestrictedVolumeTypes.FirstOrDefault(name => typeof(V1Volume).GetProperty(name, System.Reflection.BindingFlags.IgnoreCase | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)!.GetValue(volume) is not null);
            if (type is null)
            {
                yield return $"volume {volume.Name} is of a type the standard does not allow";
            }
        }

        bool podNonRoot = pod.SecurityContext?.RunAsNonRoot == true;
        string? podSeccomp = pod.SecurityContext?.SeccompProfile?.Type;
        foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            var context = container.SecurityContext;
            string name = $"container {container.Name}";
            if (context?.Privileged == true)
            {
                yield return $"{name}: privileged";
            }

            if (context?.AllowPrivilegeEscalation != false)
            {
                yield return $"{name}: allowPrivilegeEscalation is not false";
            }

            if (!(context?.RunAsNonRoot ?? podNonRoot))
            {
                yield return $"{name}: runAsNonRoot is not true";
            }

            if (context?.RunAsUser == 0)
            {
                yield return $"{name}: runAsUser is 0";
            }

            if ((context?.SeccompProfile?.Type ?? podSeccomp) is not ("RuntimeDefault" or "Localhost"))
            {
                yield return $"{name}: seccompProfile is not RuntimeDefault or Localhost";
            }

            if (context?.Capabilities?.Drop?.Contains("ALL") != true)
            {
                yield return $"{name}: capabilities do not drop ALL";
            }

            if (context?.Capabilities?.Add?.Any(capability => capability != "NET_BIND_SERVICE") == true)
            {
                yield return $"{name}: adds capabilities";
            }

            if (container.Ports?.Any(port => port.HostPort is > 0) == true)
            {
                yield return $"{name}: uses a host port";
            }

            if (context?.ProcMount is { } procMount && procMount != "Default")
            {
                yield return $"{name}: procMount is {procMount}";
            }
        }
    }

    private static List<(string Name, V1PodSpec Spec, IDictionary<string, string> Labels)> Pods(List<IKubernetesObject> objects) =>
        [
            .. objects.OfType<V1Deployment>().Select(item => (item.Metadata.Name, item.Spec.Template.Spec, item.Spec.Template.Metadata.Labels)),
            .. objects.OfType<V1StatefulSet>().Select(item => (item.Metadata.Name, item.Spec.Template.Spec, item.Spec.Template.Metadata.Labels)),
        ];

    /// <summary>
    /// Who may open a connection to the pods of <paramref name="workload"/>, and on which port, by the union of the
    /// NetworkPolicies that select them: a workload of this namespace by name, <see cref="AnyNamespace"/>, <see cref="Anyone"/>.
    /// </summary>
    private static List<(string Who, int Port)> AllowedIn(List<IKubernetesObject> objects, string workload)
    {
        var pods = Pods(objects);
        var target = pods.Single(pod => pod.Name == workload).Labels;
        var allowed = new SortedSet<(string, int)>();
        foreach (var policy in objects.OfType<V1NetworkPolicy>().Where(policy => Selects(policy.Spec.PodSelector, target)))
        {
            foreach (var rule in policy.Spec.Ingress ?? [])
            {
                var ports = rule.Ports?.Select(port => int.Parse(port.Port.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                    ?? throw new InvalidOperationException($"{policy.Metadata.Name}: a rule without ports opens every port");
                IEnumerable<string> sources = rule.FromProperty is null or { Count: 0 }
                    ? [Anyone]
                    : rule.FromProperty.SelectMany(peer => peer switch
                    {
                        { IpBlock: not null } => [$"addresses {peer.IpBlock.Cidr}"],
                        { NamespaceSelector: not null, PodSelector: null } when Selects(peer.NamespaceSelector, new Dictionary<string, string>()) => [AnyNamespace],
                        { NamespaceSelector: not null } => ["pods of other namespaces"],
                        { PodSelector: not null } => pods.Where(pod => Selects(peer.PodSelector, pod.Labels)).Select(pod => pod.Name),
                        _ => throw new InvalidOperationException($"{policy.Metadata.Name}: a peer without a selector"),
                    });
                foreach (var source in sources)
                {
                    allowed.UnionWith(ports.Select(port => (source, port)));
                }
            }
        }

        return [.. allowed];
    }

    private static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value)
        && (selector.MatchExpressions ?? []).All(requirement => requirement.OperatorProperty switch
        {
            "In" => labels.TryGetValue(requirement.Key, out var value) && requirement.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(requirement.Key, out var value) || !requirement.Values.Contains(value),
            "Exists" => labels.ContainsKey(requirement.Key),
            "DoesNotExist" => !labels.ContainsKey(requirement.Key),
            var other => throw new InvalidOperationException($"unknown selector operator {other}"),
        });
}
