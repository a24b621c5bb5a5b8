using Fraud.Api.Rules;
using Fraud.Core.Detection;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Rules;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Api.Models;

/// <summary>
/// Where the first versions come from, and model files: on the replica <see cref="TrainingLeadership"/> elected, stores
/// the rules file (<see cref="TrainingOptions.RulesPath"/>) and the model file (<see cref="TrainingOptions.ModelPath"/>;
/// with none, a <see cref="BootstrapModel"/> trained on simulated traffic) as the active versions of a fresh
/// installation, then stores and activates the model file whenever an operator replaces it. Detectors wait for the
/// first versions and only ever read them.
/// </summary>
internal sealed class DetectionFileImport(
    ModelStore models, RuleSetStore ruleSets, TrainingLeadership leadership, IOptions<TrainingOptions> options,
    ILogger<DetectionFileImport> logger) : BackgroundService
{
    private readonly TrainingOptions _options = options.Value;
    private readonly string? _modelPath = TrainingOptions.ResolvePath(options.Value.ModelPath);
    private readonly string? _rulesPath = TrainingOptions.ResolvePath(options.Value.RulesPath);
    private bool _seeded;
    private string _modelFileStamp = "";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.FileCheckInterval);
        do
        {
            if (!leadership.IsLeader)
            {
                _seeded = false; // a replica that becomes leader checks the tables again
                continue;
            }

            try
            {
                if (!_seeded)
                {
                    await SeedAsync(stoppingToken);
                    _seeded = true;
                }

                await ImportChangedModelFileAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                logger.LogDebug("Cannot store the model or rules file yet: {Reason}", exception.Message);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException)
            {
                logger.LogError("Cannot store the model or rules file: {Problem}", exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>A fresh installation: the rules file and the model file (trained first if missing) become the active versions.</summary>
    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (_rulesPath is not null)
        {
            string definition = await File.ReadAllTextAsync(_rulesPath, cancellationToken);
            await ruleSets.SeedAsync(ReadRules(_rulesPath, definition).Version, definition, $"file {Path.GetFileName(_rulesPath)}", cancellationToken);
        }

        if (await models.HasActiveAsync(ModelKind.Forest, cancellationToken))
        {
            _modelFileStamp = Stamp(_modelPath);
            return;
        }

        if (_modelPath is not null && !File.Exists(_modelPath) && _options.BootstrapModel)
        {
            BootstrapModel.WriteTo(_modelPath, _options.BootstrapTransactions, logger);
        }

        if (_modelPath is not null && File.Exists(_modelPath))
        {
            _modelFileStamp = Stamp(_modelPath);
            await models.SeedForestAsync(ReadModel(_modelPath), $"file {Path.GetFileName(_modelPath)}", cancellationToken);
        }
        else if (_modelPath is null && _options.BootstrapModel)
        {
            await models.SeedForestAsync(BootstrapModel.Train(_options.BootstrapTransactions), "bootstrap", cancellationToken);
        }
    }

    /// <summary>An operator replaced the model file: store it and make it the active version, for every detector.</summary>
    private async Task ImportChangedModelFileAsync(CancellationToken cancellationToken)
    {
        if (_modelPath is null || Stamp(_modelPath) is var stamp && stamp == _modelFileStamp)
        {
            return;
        }

        // An unusable file is reported once; a half-written one changes again when its writer finishes.
        _modelFileStamp = stamp;
        if (stamp == "missing")
        {
            return;
        }

        var model = ReadModel(_modelPath);
        _modelFileStamp = "";  // until stored: a Postgres outage makes the next check try again
        await models.ImportForestAsync(model, $"file {Path.GetFileName(_modelPath)}", cancellationToken);
        _modelFileStamp = stamp;
        logger.LogInformation("Model file {Path} changed: stored and activated {Version}", _modelPath, model.Version);
    }

    private static IsolationForest ReadModel(string path)
    {
        try
        {
            return IsolationForest.Deserialize(File.ReadAllBytes(path));
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{path}: not a usable model file: {exception.Message}", exception);
        }
    }

    private static RuleSet ReadRules(string path, string definition) =>
        RuleSetJson.TryParse(System.Text.Encoding.UTF8.GetBytes(definition), out var rules, out var errors)
            ? rules
            : throw new InvalidDataException($"{path}: invalid rule set: {string.Join("; ", errors)}");

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
