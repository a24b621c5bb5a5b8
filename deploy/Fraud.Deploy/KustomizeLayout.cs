using System.Text;
using k8s;
using k8s.Models;

namespace Fraud.Deploy;

/// <summary>
/// The files of <c>deploy/k8s</c>: a kustomize base with the services, a <c>dev</c> overlay that adds the broker,
/// Postgres and Redis in the cluster, and a <c>prod</c> overlay that points at external ones through a Secret and
/// scales out. Kustomization files use the syntax both kustomize 2 (Debian's kubectl 1.20) and 5 render.
/// </summary>
internal static class KustomizeLayout
{
    private const string Header =
        "# Generated from the AppHost's manifest by deploy/Fraud.Deploy; do not edit. Change Fraud.AppHost or the generator, then run:\n" +
        "#   dotnet run --project deploy/Fraud.Deploy -- k8s\n";

    public static SortedDictionary<string, string> Files(AspireManifest manifest)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var config = KubernetesObjects.Config(manifest);
        files["base/config.yaml"] = Yaml(config);
        // The simulator is for trying the system out: it lives in the dev overlay only, so production never sends
        // synthetic transactions and labels into its topics (nor trains its classifier on them).
        var deployed = manifest.Services.Where(service => !Simulation.IsSimulator(service.Name)).ToList();
        var simulators = manifest.Services.Where(service => Simulation.IsSimulator(service.Name)).ToList();
        foreach (var service in deployed)
        {
            files[$"base/{service.Name}.yaml"] = Yaml([.. KubernetesObjects.Service(service, config, manifest.OptionalSecrets)]);
        }

        files["base/network-policy.yaml"] = Yaml(KubernetesObjects.DenyIngress());
        files["base/kustomization.yaml"] = Kustomization(
            bases: [],
            resources: ["config.yaml", "network-policy.yaml", .. deployed.Select(service => $"{service.Name}.yaml")],
            patches: [],
            images: []);
        foreach (var service in simulators)
        {
            files[$"overlays/dev/{service.Name}.yaml"] = Yaml([.. KubernetesObjects.Service(service, config, manifest.OptionalSecrets)]);
        }

        files["overlays/dev/simulated-labels.yaml"] = Yaml(Simulation.LabelsPatch());

        // The dev overlay runs in the cluster the containers the services connect to (broker, Postgres, Redis). The
        // AppHost's observability containers are left to the cluster's own Prometheus, which finds the pods by their
        // scrape annotations and can load deploy/prometheus/rules.
        var inCluster = new ManifestExpressions(manifest);
        string connections = Yaml([.. manifest.Services.Select(service => KubernetesObjects.Connections(service, inCluster))]);
        var dependencies = inCluster.Containers.ToArray();
        var clients = ClientsByContainer(manifest);
        foreach (string name in dependencies)
        {
            files[$"overlays/dev/{name}.yaml"] = Yaml([.. KubernetesObjects.Infrastructure(manifest.Containers[name], inCluster, clients[name])]);
        }

        files["overlays/dev/connections.yaml"] = connections;
        files["overlays/dev/kustomization.yaml"] = Kustomization(
            bases: ["../../base"],
            resources: [.. dependencies.Select(name => $"{name}.yaml"), .. simulators.Select(service => $"{service.Name}.yaml")],
            patches: ["connections.yaml", "simulated-labels.yaml"],
            images: manifest.Services.Select(service => (KubernetesObjects.ImageOf(service.Name), $"localhost:5000/{KubernetesObjects.ImageOf(service.Name)}", "latest")).ToArray());

        files["overlays/prod/connections.yaml"] = Yaml([.. deployed.Select(service => KubernetesObjects.Connections(service, inCluster: null))]);
        files["overlays/prod/replicas.yaml"] = Yaml(
            KubernetesObjects.Replicas("detector", KubernetesObjects.ProductionDetectorReplicas),
            KubernetesObjects.Replicas("api", KubernetesObjects.ProductionApiReplicas));
        files["overlays/prod/kustomization.yaml"] = Kustomization(
            bases: ["../../base"],
            resources: [],
            patches: ["connections.yaml", "replicas.yaml"],
            images: deployed.Select(service => (KubernetesObjects.ImageOf(service.Name), $"registry.example.com/fraud/{KubernetesObjects.ImageOf(service.Name)}", "1.0.0")).ToArray());
        return files;
    }

    /// <summary>Which services connect to each container, and through which of its bindings: whom its NetworkPolicy lets in.</summary>
    private static Dictionary<string, List<(string Service, string Binding)>> ClientsByContainer(AspireManifest manifest) =>
        manifest.Services
            .SelectMany(service =>
            {
                var reached = new ManifestExpressions(manifest);
                foreach (string reference in service.Connections.Values)
                {
                    reached.Resolve(reference);
                }

                return reached.Bindings.Select(binding => (binding.Container, Client: (service.Name, binding.Binding)));
            })
            .GroupBy(pair => pair.Container, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(pair => pair.Client).ToList(), StringComparer.Ordinal);

    private static string Yaml(params object[] objects) =>
        Header + string.Join("---\n", objects.Select(item => KubernetesYaml.Serialize(item).TrimEnd() + "\n"));

    private static string Kustomization(string[] bases, string[] resources, string[] patches, (string Name, string NewName, string NewTag)[] images)
    {
        var text = new StringBuilder(Header);
        text.Append("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
        List("bases", bases);
        List("resources", resources);
        List("patchesStrategicMerge", patches);
        if (images.Length > 0)
        {
            text.Append("images:\n");
            foreach (var (name, newName, newTag) in images)
            {
                text.Append($"- name: {name}\n  newName: {newName}\n  newTag: \"{newTag}\"\n");
            }
        }

        return text.ToString();

        void List(string key, string[] items)
        {
            if (items.Length == 0)
            {
                return;
            }

            text.Append(key).Append(":\n");
            foreach (string item in items)
            {
                text.Append("- ").Append(item).Append('\n');
            }
        }
    }
}
