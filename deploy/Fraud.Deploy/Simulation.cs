using k8s.Models;

namespace Fraud.Deploy;

/// <summary>
/// The simulator and the ground-truth labels it publishes belong to the dev overlay only. The base deploys no
/// simulator and its API reads no label topic (a production label feed, e.g. chargebacks, is set by the operator with
/// <c>Api__LabelsTopic</c>); the dev overlay adds the producer and points the API at the simulator's labels.
/// </summary>
internal static class Simulation
{
    /// <summary>The AppHost's project resource that simulates traffic (Fraud.Producer).</summary>
    public const string Service = "producer";

    /// <summary>The service that stores labels for the classifier, and its setting naming the topic it reads.</summary>
    public const string LabelsReader = "api";
    public const string LabelsSetting = "Api__LabelsTopic";

    /// <summary>Where the simulator publishes its labels (Fraud.Producer's <c>Topics.Labels</c>).</summary>
    public const string LabelsTopic = "transactions.labels.v1";

    public static bool IsSimulator(string service) => service == Service;

    /// <summary>The base: read no labels (the API's own default is the simulator's topic, right for local runs).</summary>
    public static V1EnvVar NoLabels() => new() { Name = LabelsSetting, Value = string.Empty };

    /// <summary>The dev overlay: read the simulator's labels, as a local run does.</summary>
    public static V1Deployment LabelsPatch() =>
        KubernetesObjects.Patch(LabelsReader, container => container.Env = [new V1EnvVar { Name = LabelsSetting, Value = LabelsTopic }]);
}
