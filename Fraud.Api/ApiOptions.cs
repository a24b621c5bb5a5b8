using System.ComponentModel.DataAnnotations;
using Fraud.Messaging;

namespace Fraud.Api;

/// <summary>Settings under <c>Api:</c>. The AppHost passes the key from its secret parameter <c>api-key</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Every request body is at most this large (feedback is a label and a short note).</summary>
    public const int MaxRequestBodyBytes = 16 * 1024;

    /// <summary>The key clients send in <c>X-Api-Key</c>. Required: the API refuses to start without one,
    /// so a missing secret cannot leave the write endpoints open.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Api:Key is required (the AppHost passes its 'api-key' parameter as Api__Key).")]
    public string Key { get; set; } = "";

    /// <summary>The name the configured key acts under (its verdicts and changes record it); it is an admin key.</summary>
    public string KeyName { get; set; } = "admin";

    /// <summary>Whether every read (alerts, the stream, stats, rules, models, /metrics) needs a key; writes always do.
    /// Unset: true everywhere but in Development (see <see cref="Security.ReadAccess"/>).</summary>
    public bool? RequireKeyForReads { get; set; }

    /// <summary>Origins allowed to call the API from a browser. Empty (the default) means no CORS at all:
    /// only the console served by the API itself, from the same origin, can read the responses.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>The simulator's labels, stored in <c>labels</c> for the classifier's training; empty to read none.</summary>
    public string LabelsTopic { get; set; } = Topics.Labels.Name;
}

/// <summary>
/// The configured key must be hard to guess: at least <see cref="MinKeyLength"/> characters of which at least
/// <see cref="MinDistinctCharacters"/> differ (so not "aaaa…" nor a short word repeated); <c>openssl rand -hex 24</c> is
/// enough. Outside Development the published development key is refused as well.
/// </summary>
internal sealed class ApiOptionsValidation(IHostEnvironment environment) : Microsoft.Extensions.Options.IValidateOptions<ApiOptions>
{
    public const int MinKeyLength = 32;
    public const int MinDistinctCharacters = 10;
    public const string DevelopmentKey = "dev-only-key-not-a-secret-change-me";

    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        string key = options.Key ?? "";
        if (key.Length == 0)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Skip;   // [Required] names it
        }

        if (key.Length < MinKeyLength || key.Distinct().Count() < MinDistinctCharacters)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                $"Api:Key must be at least {MinKeyLength} characters with at least {MinDistinctCharacters} different ones (e.g. openssl rand -hex 24); it has {key.Length} with {key.Distinct().Count()} different.");
        }

        return !environment.IsDevelopment() && key == DevelopmentKey
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Api:Key is the published development key; set a secret one outside Development.")
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
    }
}
