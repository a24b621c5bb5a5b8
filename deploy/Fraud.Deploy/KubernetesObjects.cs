using k8s;
using k8s.Models;

namespace Fraud.Deploy;

/// <summary>Builds the Kubernetes objects of the base and the overlays from the manifest's resources.</summary>
internal static class KubernetesObjects
{
    public const string ConfigName = "fraud-config";
    public const string SecretsName = "fraud-secrets";
    public const string ConnectionsSecretName = "fraud-connections";
    public const string PartOf = "fraud";
    public const int ProductionDetectorReplicas = 3;
    public const int ProductionApiReplicas = 2;

    /// <summary>Why the detector's replica count has a ceiling, kept on the object where it is changed.</summary>
    public const string ReplicasNote =
        "Replicas split the partitions of transactions.v1 (Kafka:TransactionsPartitions, 6 by default); more replicas than partitions sit idle.";

    /// <summary>A writable folder for what a service keeps on disk; the active models and rules live in Postgres, so it may be empty at every start.</summary>
    public const string StateFolder = "/var/lib/fraud";

    public static string ImageOf(string service) => $"fraud-{service}";

    public static V1ConfigMap Config(AspireManifest manifest)
    {
        // Settings every service gets alike; a setting whose value differs between services stays on that service.
        var shared = manifest.Services
            .SelectMany(service => service.Settings)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .Where(group => group.Select(pair => pair.Value).Distinct(StringComparer.Ordinal).Count() == 1 && group.Count() == manifest.Services.Count)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First().Value, StringComparer.Ordinal);
        return new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = Metadata(ConfigName, "config"), Data = shared };
    }

    public static IEnumerable<IKubernetesObject> Service(ServiceResource service, V1ConfigMap config, IReadOnlySet<string> optionalSecrets)
    {
        var env = new List<V1EnvVar> { new() { Name = "HTTP_PORTS", Value = service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        env.AddRange(service.Settings
            .Where(pair => !config.Data.ContainsKey(pair.Key))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new V1EnvVar { Name = pair.Key, Value = pair.Value }));
        env.AddRange(service.SecretSettings
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => SecretVariable(pair.Key, SecretsName, pair.Value, optional: optionalSecrets.Contains(pair.Value))));
        if (service.Name == Simulation.LabelsReader)
        {
            env.Add(Simulation.NoLabels());
        }

        var sizing = ServiceSizing.For(service.Name);
        // The API writes the bootstrap model file on a first start; the image's folders belong to root, the app does not.
        bool needsState = service.Name == "api";
        if (needsState)
        {
            env.Add(new V1EnvVar { Name = "Training__ModelPath", Value = $"{StateFolder}/models/iforest.model" });
        }

        var container = new V1Container
        {
            Name = service.Name,
            Image = ImageOf(service.Name),
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = service.Port }],
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = ConfigName } }],
            Env = env,
            // /health checks every dependency (ready to serve); /alive only the process (restart when it hangs).
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = "http" }, PeriodSeconds = 10, FailureThreshold = 3 },
            LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/alive", Port = "http" }, InitialDelaySeconds = 10, PeriodSeconds = 10, FailureThreshold = 6 },
            Resources = Resources(sizing),
            VolumeMounts = needsState ? [new V1VolumeMount { Name = "state", MountPath = StateFolder }] : null,
        };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["prometheus.io/scrape"] = "true",
            ["prometheus.io/port"] = service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["prometheus.io/path"] = "/metrics",
        };
        var deploymentMetadata = Metadata(service.Name, "service");
        if (service.Name == "detector")
        {
            deploymentMetadata.Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["fraud/replicas"] = ReplicasNote };
        }

        yield return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = deploymentMetadata,
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = Selector(service.Name),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(service.Name, "service"), Annotations = annotations },
                    Spec = PodSecurity.Restricted(
                        new V1PodSpec
                        {
                            Containers = [container],
                            TerminationGracePeriodSeconds = 30,
                            Volumes = needsState ? [new V1Volume { Name = "state", EmptyDir = new V1EmptyDirVolumeSource() }] : null,
                        },
                        ImageProfile.DotNet),
                },
            },
        };
        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Metadata(service.Name, "service"),
            Spec = new V1ServiceSpec
            {
                Selector = SelectorLabels(service.Name),
                Ports = [new V1ServicePort { Name = "http", Port = service.Port, TargetPort = "http" }],
            },
        };
        yield return Ingress(service.Name, "service", [service.Port], service.External
            ? null   // the public API: from anywhere
            : [new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector() }]);   // metrics and health: from inside the cluster (its Prometheus)
        if (service.Name == "detector")
        {
            // Drain nodes one detector at a time: the others keep consuming while its partitions move.
            yield return new V1PodDisruptionBudget
            {
                ApiVersion = "policy/v1",
                Kind = "PodDisruptionBudget",
                Metadata = Metadata(service.Name, "service"),
                Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = Selector(service.Name) },
            };
        }
    }

    /// <summary>
    /// The base's NetworkPolicy that selects every pod and allows nothing: a pod accepts only the connections that
    /// another policy allows.
    /// </summary>
    public static V1NetworkPolicy DenyIngress() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = "default-deny-ingress", Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.kubernetes.io/part-of"] = PartOf } },
        Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
    };

    /// <summary>
    /// The dev overlay's in-cluster container: a StatefulSet with a volume per data folder, its Service, and a
    /// NetworkPolicy through which only <paramref name="clients"/> (the services whose connection strings point at it)
    /// reach it, on the ports they use.
    /// </summary>
    public static IEnumerable<IKubernetesObject> Infrastructure(
        ContainerResource resource, ManifestExpressions expressions, IReadOnlyCollection<(string Service, string Binding)> clients)
    {
        var env = resource.Env
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new V1EnvVar { Name = pair.Key, Value = expressions.Resolve(pair.Value) })
            .ToList();
        var secrets = expressions.SecretParameters.Select(parameter => SecretVariable(ManifestExpressions.VariableOf(parameter), SecretsName, parameter)).ToList();
        expressions.SecretParameters.Clear();
        var args = resource.Args.Select(expressions.Resolve).ToList();
        secrets.AddRange(expressions.SecretParameters
            .Where(parameter => secrets.All(secret => secret.Name != ManifestExpressions.VariableOf(parameter)))
            .Select(parameter => SecretVariable(ManifestExpressions.VariableOf(parameter), SecretsName, parameter)));
        expressions.SecretParameters.Clear();
        var firstPort = resource.Ports.OrderBy(pair => pair.Value).First();
        var container = new V1Container
        {
            Name = resource.Name,
            Image = resource.Image,
            Command = resource.Entrypoint is null ? null : [resource.Entrypoint],
            Args = args.Count == 0 ? null : args,
            // A secret referenced by another variable must come first: Kubernetes expands $(NAME) from earlier entries only.
            Env = secrets.Count + env.Count == 0 ? null : [.. secrets, .. env.Where(variable => secrets.All(secret => secret.Name != variable.Name))],
            Ports = resource.Ports.OrderBy(pair => pair.Value).Select(pair => new V1ContainerPort { Name = pair.Key, ContainerPort = pair.Value }).ToList(),
            ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = firstPort.Key }, PeriodSeconds = 5 },
            VolumeMounts = resource.Volumes.Select((target, index) => new V1VolumeMount { Name = VolumeName(index), MountPath = target }).ToList(),
            Resources = Resources(ServiceSizing.Infrastructure),
        };
        yield return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Metadata(resource.Name, "infrastructure"),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = resource.Name,
                Replicas = 1,
                Selector = Selector(resource.Name),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(resource.Name, "infrastructure") },
                    Spec = PodSecurity.Restricted(new V1PodSpec { Containers = [container] }, ImageProfile.Of(resource.Image)),
                },
                VolumeClaimTemplates = resource.Volumes.Select((_, index) => new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = VolumeName(index) },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") } },
                    },
                }).ToList(),
            },
        };
        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Metadata(resource.Name, "infrastructure"),
            Spec = new V1ServiceSpec
            {
                Selector = SelectorLabels(resource.Name),
                Ports = resource.Ports.OrderBy(pair => pair.Value).Select(pair => new V1ServicePort { Name = pair.Key, Port = pair.Value, TargetPort = pair.Key }).ToList(),
            },
        };
        var services = clients.Select(client => client.Service).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ports = clients.Select(client => resource.Ports[client.Binding]).Distinct().Order().ToList();
        yield return Ingress(resource.Name, "infrastructure", ports, [new V1NetworkPolicyPeer
        {
            PodSelector = new V1LabelSelector
            {
                MatchExpressions = [new V1LabelSelectorRequirement { Key = NameLabel, OperatorProperty = "In", Values = services }],
            },
        }]);
    }

    /// <summary>
    /// A patch that gives a service its connection strings: in the dev overlay composed from the in-cluster Services
    /// and the secret parameters; in the prod overlay read whole from the <see cref="ConnectionsSecretName"/> Secret.
    /// </summary>
    public static V1Deployment Connections(ServiceResource service, ManifestExpressions? inCluster)
    {
        var env = new List<V1EnvVar>();
        if (inCluster is null)
        {
            env.AddRange(service.Connections.Keys.Select(name => SecretVariable($"ConnectionStrings__{name}", ConnectionsSecretName, name)));
        }
        else
        {
            var values = service.Connections.Select(connection => new V1EnvVar { Name = $"ConnectionStrings__{connection.Key}", Value = inCluster.Resolve(connection.Value) }).ToList();
            env.AddRange(inCluster.SecretParameters.Select(parameter => SecretVariable(ManifestExpressions.VariableOf(parameter), SecretsName, parameter)));
            inCluster.SecretParameters.Clear();
            env.AddRange(values);
        }

        return Patch(service.Name, container => container.Env = env);
    }

    public static V1Deployment Replicas(string service, int replicas)
    {
        var patch = Patch(service, _ => { });
        patch.Spec.Replicas = replicas;
        return patch;
    }

    internal static V1Deployment Patch(string service, Action<V1Container> change)
    {
        var container = new V1Container { Name = service };
        change(container);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = service },
            Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [container] } } },
        };
    }

    /// <summary>An optional key (e.g. the webhook secret) may be missing from the Secret: the pod starts without it.</summary>
    private static V1EnvVar SecretVariable(string name, string secret, string key, bool optional = false) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key, Optional = optional ? true : null } },
    };

    private static V1ResourceRequirements Resources(ServiceSizing sizing) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(sizing.CpuRequest), ["memory"] = new(sizing.MemoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(sizing.CpuLimit), ["memory"] = new(sizing.MemoryLimit) },
    };

    /// <summary>A NetworkPolicy allowing <paramref name="from"/> (anyone when null) to reach the pods of <paramref name="name"/> on <paramref name="ports"/>.</summary>
    private static V1NetworkPolicy Ingress(string name, string component, IEnumerable<int> ports, List<V1NetworkPolicyPeer>? from) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Metadata(name, component),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = Selector(name),
            PolicyTypes = ["Ingress"],
            Ingress = [new V1NetworkPolicyIngressRule { FromProperty = from, Ports = ports.Select(port => new V1NetworkPolicyPort { Protocol = "TCP", Port = port }).ToList() }],
        },
    };

    private static string VolumeName(int index) => index == 0 ? "data" : $"data-{index}";

    private static V1ObjectMeta Metadata(string name, string component) => new() { Name = name, Labels = Labels(name, component) };

    private const string NameLabel = "app.kubernetes.io/name";

    private static Dictionary<string, string> SelectorLabels(string name) => new(StringComparer.Ordinal) { [NameLabel] = name };

    private static V1LabelSelector Selector(string name) => new() { MatchLabels = SelectorLabels(name) };

    private static Dictionary<string, string> Labels(string name, string component) => new(StringComparer.Ordinal)
    {
        [NameLabel] = name,
        ["app.kubernetes.io/component"] = component,
        ["app.kubernetes.io/part-of"] = PartOf,
    };
}
