using Fraud.Core.Decision;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Detection;

/// <summary>
/// Holds the current <see cref="DetectionProfile"/> and reloads it when the model, rule or decision file changes
/// (polled every <see cref="DetectorOptions.ReloadInterval"/>; a poll is three file stats). A new profile is loaded
/// and validated whole before it replaces the old one, and the consume loop switches to it between two
/// transactions, so no transaction is dropped or decided twice. An unusable file keeps the previous profile,
/// is logged and counted, and turns the health check to degraded until it is fixed.
/// </summary>
internal sealed class DetectionProfileSource(
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

    /// <summary>The profile to decide with; set before the detector starts consuming.</summary>
    public DetectionProfile Current => _current ?? throw new InvalidOperationException("No detection profile loaded yet.");

    /// <summary>Loads the first profile, training the bootstrap model if asked to; an unusable file stops the start-up.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_modelPath is not null && _options.BootstrapModel && !File.Exists(_modelPath))
        {
            BootstrapModel.WriteTo(_modelPath, _options.BootstrapTransactions, logger);
        }

        _fingerprint = Fingerprint();
        Publish(Load());
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            string fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                continue;
            }

            _fingerprint = fingerprint;
            try
            {
                Publish(Load());
                _problem = null;
                metrics.Reloaded("ok");
            }
            catch (DetectionFileException exception)
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
            ? HealthCheckResult.Degraded($"deciding with {_current}; the changed files are unusable: {problem}")
            : HealthCheckResult.Healthy(_current?.ToString()));

    private DetectionProfile Load()
    {
        var profile = new DetectionProfile(
            _modelPath is null ? null : DetectionFiles.ReadModel(_modelPath),
            _rulesPath is null ? null : DetectionFiles.ReadRules(_rulesPath),
            _decisionPath is null ? new DecisionOptions() : DetectionFiles.ReadDecision(_decisionPath));
        try
        {
            _ = new DecisionEngine(profile.Model, profile.Rules, profile.Decision); // the same checks the consume loop will make
        }
        catch (ArgumentException exception)
        {
            throw new DetectionFileException(exception.Message);
        }

        return profile;
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

    /// <summary>Size and modification time of each file: what a poll compares.</summary>
    private string Fingerprint() => string.Join('|', new[] { _modelPath, _rulesPath, _decisionPath }.Select(path =>
    {
        if (path is null)
        {
            return "-";
        }

        var file = new FileInfo(path);
        return file.Exists ? $"{file.Length}@{file.LastWriteTimeUtc.Ticks}" : "missing";
    }));
}
