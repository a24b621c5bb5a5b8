using Aspire.Hosting.Publishing;
using Microsoft.Extensions.Configuration;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Service settings that hold secrets (the webhook's HMAC key, the webhook URLs, which carry their own tokens, the API
/// key). They reach a service only through a secret parameter, never as a literal value: a literal would be written
/// into the published manifest and from there into <c>deploy/k8s</c>, so a secret set in user-secrets would end up in
/// git. <see cref="SettingsExtensions.WithSettingsFrom{T}"/> skips them.
/// </summary>
public static class SecretSettings
{
    /// <summary>Configuration keys (and every key below them) that are secret.</summary>
    private static readonly string[] Keys = ["Api:Key", "Alerting:Secret", "Alerting:Webhooks", "Alerting:WebhookUrls"];

    public static bool IsSecret(string key) =>
        Keys.Any(secret => key.Equals(secret, StringComparison.OrdinalIgnoreCase) || key.StartsWith(secret + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A secret parameter the system can run without (empty when not set). Its value is <c>Parameters:{name}</c>, or
    /// else the older setting <paramref name="fallbackKey"/> (its child values joined by spaces, for lists such as
    /// <c>Alerting:Webhooks:0</c>, <c>:1</c>), so <c>--Alerting:Secret=…</c> keeps working in run mode. Publishing
    /// writes an empty default and never the value; that default is how the Kubernetes generator knows the Secret's
    /// key is optional. azd refuses a default on a secret parameter, so publishing for Azure writes none: azd asks
    /// for it, and an empty answer leaves the feature off.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddOptionalSecret(this IDistributedApplicationBuilder builder, string name, string fallbackKey) =>
        builder.PublishesFor(PublishTarget.AzureContainerApps)
            ? builder.AddParameter(name, secret: true)
            : builder.AddParameter(name, new FallbackDefault(builder.Configuration.GetSection(fallbackKey)), secret: true, persist: false);

    private sealed class FallbackDefault(IConfigurationSection fallback) : ParameterDefault
    {
        public override void WriteToManifest(ManifestPublishingContext context) => context.Writer.WriteString("value", string.Empty);

        public override string GetDefaultValue() =>
            fallback.Value ?? string.Join(' ', fallback.GetChildren().OrderBy(child => child.Key, NumericKeys.Instance).Select(child => child.Value).Where(value => !string.IsNullOrEmpty(value)));
    }

    /// <summary>Orders list keys 0, 1, …, 10 as numbers.</summary>
    private sealed class NumericKeys : IComparer<string>
    {
        public static NumericKeys Instance { get; } = new();

        public int Compare(string? x, string? y) =>
            int.TryParse(x, out int a) && int.TryParse(y, out int b) ? a.CompareTo(b) : string.CompareOrdinal(x, y);
    }
}
