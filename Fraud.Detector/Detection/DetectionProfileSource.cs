using System.Text;
using Fraud.Core.Decision;
using Fraud.Core.Detection;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Detection;

/// <summary>
/// Holds the current <see cref="DetectionProfile"/> and reloads it when one of its parts changes, polled every
/// <see cref="DetectorOptions.ReloadInterval"/> (a file stat and three indexed queries):
/// <list type="bullet">
/// <item>the active model in Postgres (<c>models</c> of kind <c>isolation_forest</c>: the API's trainer, a model file
/// the API stored, <c>POST /models/{version}/activate</c>);</item>
/// <item>the active supervised classifier in Postgres (<c>models</c> of kind <c>classifier</c>, trained by the API
/// from labels); none active means deciding without one;</item>
/// <item>the active rule set in Postgres (<c>rule_sets</c>, changed through the API's <c>PUT /rules</c>);</item>
/// <item>the decision options file.</item>
/// </list>
/// The detector only reads <c>models</c> and <c>rule_sets</c>: on a fresh installation it waits until the API has stored
/// the first rule set and forest.
/// A new profile is loaded and validated whole before it replaces the old one, and the consume loop switches to it
/// between two batches, so no transaction is dropped or decided twice. An unusable part keeps the previous
/// profile, is logged and counted, and turns the health check to degraded until it is fixed.
/// </summary>
internal sealed class DetectionProfileSource(
    RuleSetTable ruleSets,
    ModelTable models,
    IOptions<DetectorOptions> options,
    DetectorMetrics metrics,
    ILogger<DetectionProfileSource> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan FirstVersionsPatience = TimeSpan.FromSeconds(10);
    private readonly DetectorOptions _options = options.Value;
    private readonly string? _decisionPath = DetectorOptions.ResolvePath(options.Value.DecisionPath);
    private volatile DetectionProfile? _current;
    private volatile string? _problem;
    private string _fingerprint = "";
    private string? _activeRulesVersion;
    private string? _activeModelVersion;
    private string? _activeClassifierVersion;

    /// <summary>The profile to decide with; set before the detector starts consuming.</summary>
    public DetectionProfile Current => _current ?? throw new InvalidOperationException("No detection profile loaded yet.");

    /// <summary>
    /// Loads the first profile once the API has stored the first rule set and forest (a fresh installation's come from
    /// its files); an unusable part stops the start-up.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var waitingSince = DateTimeOffset.UtcNow;
        while (!await ReadActiveVersionsAsync(cancellationToken) || _activeRulesVersion is null || _activeModelVersion is null)
        {
            if (DateTimeOffset.UtcNow - waitingSince > FirstVersionsPatience)
            {
                logger.LogWarning("Waiting for the API to store the first rule set and model (active: rules {Rules}, model {Model})",
                    _activeRulesVersion ?? "none", _activeModelVersion ?? "none");
                waitingSince = DateTimeOffset.UtcNow;
            }

            await Task.Delay(_options.ReloadInterval, cancellationToken);
        }

        Publish(await LoadAsync(cancellationToken));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ReadActiveVersionsAsync(stoppingToken);

            string fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                continue;
            }

            try
            {
                Publish(await LoadAsync(stoppingToken));
                _problem = null;
                metrics.Reloaded("ok");
            }
            catch (Exception exception) when (exception is DetectionFileException or NpgsqlException)
            {
                // Not tried again until a part changes again: a half-written file changes when its writer finishes.
                _fingerprint = fingerprint;
                _problem = exception.Message;
                metrics.Reloaded("failed");
                logger.LogError("Keeping {Profile}: {Problem}", _current, exception.Message);
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_problem is { } problem
            ? HealthCheckResult.Degraded($"deciding with {_current}; the changed parts are unusable: {problem}")
            : HealthCheckResult.Healthy(_current?.ToString()));

    /// <summary>
    /// Loads every part and records their versions as the fingerprint: the rows read here, not the versions the poll
    /// read before, since an activation in between would otherwise leave the detector on a profile its fingerprint
    /// does not name, and a later switch back to the polled version would go unnoticed.
    /// </summary>
    private async Task<(DetectionProfile Profile, string Fingerprint)> LoadAsync(CancellationToken cancellationToken)
    {
        string decisionStamp = Stamp(_decisionPath);   // before the read: a change after it is seen by the next poll
        var (modelVersion, model) = await LoadModelAsync(cancellationToken);
        var (rulesVersion, rules) = await LoadRulesAsync(cancellationToken);
        var (classifierVersion, classifier) = await LoadClassifierAsync(cancellationToken);
        var profile = new DetectionProfile(
            model,
            rules,
            _decisionPath is null ? new DecisionOptions() : DetectionFiles.ReadDecision(_decisionPath),
            classifier);
        try
        {
            // the same checks the consume loop will make
            _ = new DecisionEngine(profile.Model, profile.Rules, profile.Decision, classifier: profile.Classifier);
        }
        catch (ArgumentException exception)
        {
            throw new DetectionFileException(exception.Message);
        }

        return (profile, Fingerprint(modelVersion, rulesVersion, classifierVersion, decisionStamp));
    }

    /// <summary>The active stored model.</summary>
    private async Task<(string Version, IsolationForest Model)> LoadModelAsync(CancellationToken cancellationToken)
    {
        var active = await models.ActiveAsync(ModelKind.Forest, cancellationToken)
            ?? throw new DetectionFileException("models: no active forest");
        try
        {
            return (active.Version, IsolationForest.Deserialize(active.Model));
        }
        catch (InvalidDataException exception)
        {
            throw new DetectionFileException($"model {active.Version} (models): not usable: {exception.Message}");
        }
    }

    /// <summary>The active stored classifier, or none.</summary>
    private async Task<(string? Version, GradientBoostedClassifier? Classifier)> LoadClassifierAsync(CancellationToken cancellationToken)
    {
        if (await models.ActiveAsync(ModelKind.Classifier, cancellationToken) is not { } active)
        {
            return (null, null);
        }

        try
        {
            return (active.Version, GradientBoostedClassifier.Deserialize(active.Model));
        }
        catch (InvalidDataException exception)
        {
            throw new DetectionFileException($"classifier {active.Version} (models): not usable: {exception.Message}");
        }
    }

    /// <summary>The active stored rule set.</summary>
    private async Task<(string Version, RuleSet Rules)> LoadRulesAsync(CancellationToken cancellationToken)
    {
        var active = await ruleSets.ActiveAsync(cancellationToken) ?? throw new DetectionFileException("rule_sets: no active rule set");
        return (active.Version, DetectionFiles.ParseRules($"rule set {active.Version} (rule_sets)", Encoding.UTF8.GetBytes(active.Definition)));
    }

    /// <summary>Reads which versions are active; false (keeping the previous ones) while Postgres does not answer.</summary>
    private async Task<bool> ReadActiveVersionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            _activeRulesVersion = await ruleSets.ActiveVersionAsync(cancellationToken);
            _activeModelVersion = await models.ActiveVersionAsync(ModelKind.Forest, cancellationToken);
            _activeClassifierVersion = await models.ActiveVersionAsync(ModelKind.Classifier, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            // Postgres is away: keep deciding with what we have; the sinks report the outage.
            logger.LogDebug("Cannot read the active versions: {Reason}", exception.Message);
            return false;
        }
    }

    private void Publish((DetectionProfile Profile, string Fingerprint) loaded)
    {
        var (profile, previous) = (loaded.Profile, _current);
        _fingerprint = loaded.Fingerprint;
        _current = profile;
        metrics.ProfileChanged(profile);
        if (previous is null)
        {
            logger.LogInformation("Deciding with {Profile}", profile);
        }
        else
        {
            logger.LogInformation("Reloaded: deciding with {Profile} instead of {Previous}", profile, previous);
        }
    }

    /// <summary>What a poll compares: the active model, rule set and classifier versions, and the decision file's stamp.</summary>
    private string Fingerprint() => Fingerprint(_activeModelVersion, _activeRulesVersion, _activeClassifierVersion, Stamp(_decisionPath));

    private static string Fingerprint(string? model, string? rules, string? classifier, string decision) =>
        $"model:{model ?? "-"}|rules:{rules ?? "-"}|classifier:{classifier ?? "-"}|decision:{decision}";

    /// <summary>A file's size and modification time, "missing", or "-" when none is configured.</summary>
    private static string Stamp(string? path)
    {
        if (path is null)
        {
            return "-";
        }

        var file = new FileInfo(path);
        return file.Exists ? $"{file.Length}@{file.LastWriteTimeUtc.Ticks}" : "missing";
    }
}
