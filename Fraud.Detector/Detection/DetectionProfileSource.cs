using System.Text;
using Fraud.Core.Decision;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Detection;

/// <summary>
/// Holds the current <see cref="DetectionProfile"/> and reloads it when one of its parts changes, polled every
/// <see cref="DetectorOptions.ReloadInterval"/> (two file stats and one indexed query):
/// <list type="bullet">
/// <item>the active model in Postgres (<c>models</c> of kind <c>isolation_forest</c>: the API's trainer,
/// <c>POST /models/{version}/activate</c>). The model file seeds it on a fresh installation, and a replaced model file
/// is stored and activated;</item>
/// <item>the active supervised classifier in Postgres (<c>models</c> of kind <c>classifier</c>, trained by the API
/// from labels); none active means deciding without one;</item>
/// <item>the active rule set in Postgres (<c>rule_sets</c>, changed through the API's <c>PUT /rules</c>). On a fresh
/// installation the detector stores its rules file there first;</item>
/// <item>the decision options file.</item>
/// </list>
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
    private readonly DetectorOptions _options = options.Value;
    private readonly string? _modelPath = DetectorOptions.ResolvePath(options.Value.ModelPath);
    private readonly string? _rulesPath = DetectorOptions.ResolvePath(options.Value.RulesPath);
    private readonly string? _decisionPath = DetectorOptions.ResolvePath(options.Value.DecisionPath);
    private volatile DetectionProfile? _current;
    private volatile string? _problem;
    private string _fingerprint = "";
    private string? _activeRulesVersion;
    private string? _activeModelVersion;
    private string? _activeClassifierVersion;
    private string _modelFileStamp = "";

    /// <summary>The profile to decide with; set before the detector starts consuming.</summary>
    public DetectionProfile Current => _current ?? throw new InvalidOperationException("No detection profile loaded yet.");

    /// <summary>
    /// Loads the first profile, training the bootstrap model and seeding the rule sets table if needed; an unusable
    /// part stops the start-up.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_modelPath is not null && _options.BootstrapModel && !File.Exists(_modelPath))
        {
            BootstrapModel.WriteTo(_modelPath, _options.BootstrapTransactions, logger);
        }

        if (_rulesPath is not null)
        {
            var seed = DetectionFiles.ReadRules(_rulesPath);
            await ruleSets.SeedAsync(seed.Version, await File.ReadAllTextAsync(_rulesPath, cancellationToken), $"file {Path.GetFileName(_rulesPath)}", cancellationToken);
        }

        if (_modelPath is not null)
        {
            var (seed, bytes) = ReadModelFile(_modelPath);
            await models.SeedAsync(seed, bytes, $"file {Path.GetFileName(_modelPath)}", cancellationToken);
            _modelFileStamp = Stamp(_modelPath);
        }

        _activeRulesVersion = await ruleSets.ActiveVersionAsync(cancellationToken);
        _activeModelVersion = await models.ActiveVersionAsync(ModelTable.Forest, cancellationToken);
        _activeClassifierVersion = await models.ActiveVersionAsync(ModelTable.Classifier, cancellationToken);
        _fingerprint = Fingerprint();
        Publish(await LoadAsync(cancellationToken));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ImportChangedModelFileAsync(stoppingToken);
                _activeRulesVersion = await ruleSets.ActiveVersionAsync(stoppingToken);
                _activeModelVersion = await models.ActiveVersionAsync(ModelTable.Forest, stoppingToken);
                _activeClassifierVersion = await models.ActiveVersionAsync(ModelTable.Classifier, stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                // Postgres is away: keep deciding with what we have; the sinks report the outage.
                logger.LogDebug("Cannot read the active versions: {Reason}", exception.Message);
            }
            catch (DetectionFileException exception)
            {
                _problem = exception.Message;
                metrics.Reloaded("failed");
                logger.LogError("Keeping {Profile}: {Problem}", _current, exception.Message);
            }

            string fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                continue;
            }

            _fingerprint = fingerprint;
            try
            {
                Publish(await LoadAsync(stoppingToken));
                _problem = null;
                metrics.Reloaded("ok");
            }
            catch (Exception exception) when (exception is DetectionFileException or NpgsqlException)
            {
                // A half-written file changes again when its writer finishes, and is then read again.
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

    private async Task<DetectionProfile> LoadAsync(CancellationToken cancellationToken)
    {
        var profile = new DetectionProfile(
            await LoadModelAsync(cancellationToken),
            await LoadRulesAsync(cancellationToken),
            _decisionPath is null ? new DecisionOptions() : DetectionFiles.ReadDecision(_decisionPath),
            await LoadClassifierAsync(cancellationToken));
        try
        {
            // the same checks the consume loop will make
            _ = new DecisionEngine(profile.Model, profile.Rules, profile.Decision, classifier: profile.Classifier);
        }
        catch (ArgumentException exception)
        {
            throw new DetectionFileException(exception.Message);
        }

        return profile;
    }

    /// <summary>The active stored model, or the model file when none is stored.</summary>
    private async Task<IsolationForest?> LoadModelAsync(CancellationToken cancellationToken)
    {
        if (_activeModelVersion is not null && await models.ActiveAsync(ModelTable.Forest, cancellationToken) is { } active)
        {
            try
            {
                return IsolationForest.Deserialize(active.Model);
            }
            catch (InvalidDataException exception)
            {
                throw new DetectionFileException($"model {active.Version} (models): not usable: {exception.Message}");
            }
        }

        return _modelPath is null ? null : DetectionFiles.ReadModel(_modelPath);
    }

    /// <summary>The active stored classifier, or none.</summary>
    private async Task<GradientBoostedClassifier?> LoadClassifierAsync(CancellationToken cancellationToken)
    {
        if (_activeClassifierVersion is null || await models.ActiveAsync(ModelTable.Classifier, cancellationToken) is not { } active)
        {
            return null;
        }

        try
        {
            return GradientBoostedClassifier.Deserialize(active.Model);
        }
        catch (InvalidDataException exception)
        {
            throw new DetectionFileException($"classifier {active.Version} (models): not usable: {exception.Message}");
        }
    }

    /// <summary>An operator replaced the model file: store it and make it the active version, for every detector.</summary>
    private async Task ImportChangedModelFileAsync(CancellationToken cancellationToken)
    {
        if (_modelPath is null || Stamp(_modelPath) is var stamp && stamp == _modelFileStamp)
        {
            return;
        }

        if (stamp == "missing")
        {
            _modelFileStamp = stamp;
            return;
        }

        IsolationForest model;
        byte[] bytes;
        try
        {
            (model, bytes) = ReadModelFile(_modelPath);
        }
        finally
        {
            // An unusable file is reported once; a half-written one changes again when its writer finishes.
            _modelFileStamp = stamp;
        }

        _modelFileStamp = "";  // until stored: a Postgres outage makes the next poll try again
        await models.ImportAndActivateAsync(model, bytes, $"file {Path.GetFileName(_modelPath)}", cancellationToken);
        _modelFileStamp = stamp;
        logger.LogInformation("Model file {Path} changed: stored and activated {Version}", _modelPath, model.Version);
    }

    private static (IsolationForest Model, byte[] Bytes) ReadModelFile(string path)
    {
        var model = DetectionFiles.ReadModel(path);
        return (model, model.Serialize());
    }

    /// <summary>The active stored rule set, or the rules file when none is stored.</summary>
    private async Task<RuleSet?> LoadRulesAsync(CancellationToken cancellationToken)
    {
        if (_activeRulesVersion is not null && await ruleSets.ActiveAsync(cancellationToken) is { } active)
        {
            return DetectionFiles.ParseRules($"rule set {active.Version} (rule_sets)", Encoding.UTF8.GetBytes(active.Definition));
        }

        return _rulesPath is null ? null : DetectionFiles.ReadRules(_rulesPath);
    }

    private void Publish(DetectionProfile profile)
    {
        var previous = _current;
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

    /// <summary>
    /// What a poll compares: the active model and rule set versions (or, with none stored, their files' stamps), the
    /// active classifier's version and the decision file's stamp.
    /// </summary>
    private string Fingerprint() =>
        $"model:{_activeModelVersion ?? Stamp(_modelPath)}|rules:{_activeRulesVersion ?? Stamp(_rulesPath)}|classifier:{_activeClassifierVersion ?? "-"}|decision:{Stamp(_decisionPath)}";

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
