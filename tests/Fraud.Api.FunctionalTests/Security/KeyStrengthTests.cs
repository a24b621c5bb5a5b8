using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fraud.Api.FunctionalTests.Security;

/// <summary>
/// The API refuses to start with a key that is easy to guess, or outside Development with the published development
/// key. Its dependencies need not exist: it stops before it reaches them, so this needs no infrastructure.
/// </summary>
public sealed class KeyStrengthTests
{
    private static readonly Dictionary<string, string> Unreachable = new()
    {
        ["fraud"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=fraud",
        ["redis"] = "127.0.0.1:1",
        ["kafka"] = "127.0.0.1:1",
    };

    [Theory]
    [InlineData("Production", "short-key", "at least 32 characters")]
    [InlineData("Development", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at least 10 different")]
    [InlineData("Production", "dev-only-key-not-a-secret-change-me", "published development key")]
    public async Task The_api_refuses_to_start_with_a_weak_key(string environment, string key, string reason)
    {
        await using var api = new FraudApiFactory([
            .. ApiFixture.Settings(Unreachable, files: null),
            new(HostDefaults.EnvironmentKey, environment),
            new("Api:Key", key)]);

        // An accepted key would go on to wait for the database that is not there: give up on it rather than hang.
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => Task.Run(api.StartServer).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains(reason, refusal.Message);
    }
}
