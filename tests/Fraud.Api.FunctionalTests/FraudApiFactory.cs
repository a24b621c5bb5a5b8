extern alias FraudApi;

using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Fraud.Api.FunctionalTests;

/// <summary>
/// The API (its own <c>Program</c>) in the test process, on Kestrel at a free port of 127.0.0.1 rather than the
/// in-memory test server: bodies over the limit, dropped connections and raw bytes behave as in production.
/// Its settings are what the AppHost gives the api resource (connection strings, <c>Api:*</c>, <c>Training:*</c>); each
/// factory is an API host of its own, cheap to start with other settings (like another replica on the same infrastructure).
/// </summary>
public sealed class FraudApiFactory : WebApplicationFactory<FraudApi::Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="settings">In order: a later value of a key replaces an earlier one.</param>
    public FraudApiFactory(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        UseKestrel(port: 0);   // 127.0.0.1, a free port
    }

    /// <summary>As host configuration, so that Program's own reads before <c>Build()</c> (connection strings, the read
    /// policy, the limits) see them, as they see the environment the AppHost sets.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        return base.CreateHost(builder);
    }
}
