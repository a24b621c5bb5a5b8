using System.Globalization;
using Fraud.Core;
using Fraud.Core.Simulation;
using Fraud.Producer.Publishing;
using Microsoft.Extensions.Options;

namespace Fraud.Producer.Service;

/// <summary>
/// The running system's live traffic: the simulator with its event clock on the wall clock, so transactions are
/// stamped "now" and arrive at <see cref="ProducerOptions.Rate"/> per second on average (more by day). Labels go to
/// their own topic for anyone measuring the detector live.
/// </summary>
internal sealed class LiveSimulationService(
    KafkaClientFactory kafka,
    IOptions<ProducerOptions> options,
    ProducerMetrics metrics,
    TimeProvider time,
    ILogger<LiveSimulationService> logger) : BackgroundService
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly ProducerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var start = time.GetUtcNow();
        var simulation = new SimulationOptions
        {
            Seed = _options.Seed ?? (int)(start.ToUnixTimeSeconds() % int.MaxValue),
            Users = SimulationOptions.UsersFor(_options.Rate),
            FraudRate = _options.FraudRate,
            ScenarioMix = ConfiguredMix(),
            Start = start,
        };
        var simulator = new TransactionSimulator(simulation);
        var pacer = Pacer.EventClock(speedup: 1, start, time);
        string? labelsTopic = string.IsNullOrWhiteSpace(_options.LabelsTopic) ? null : _options.LabelsTopic;
        using var publisher = new KafkaPublisher(kafka.CreateProducer<string, byte[]>(), OnFailure);
        logger.LogInformation(
            "Simulating {Rate} tx/s on average ({Users} users, seed {Seed}, fraud rate {FraudRate}) to {Topic}, labels to {LabelsTopic}",
            _options.Rate, simulation.Users, simulation.Seed, simulation.FraudRate, _options.Topic, labelsTopic ?? "nowhere");

        for (long sequence = 0; ; sequence++)
        {
            var next = simulator.Next();
            await pacer.WaitAsync(sequence, next.Transaction.Ts, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            publisher.Publish(_options.Topic, next.Transaction.UserId.ToString(CultureInfo.InvariantCulture), TransactionJson.SerializeToUtf8Bytes(next.Transaction));
            if (labelsTopic is not null)
            {
                publisher.Publish(labelsTopic, next.Label.TxId, LabelJson.SerializeToUtf8Bytes(next.Label));
            }

            metrics.Sent(next.Label.Scenario);
        }

        publisher.Flush(FlushTimeout);
    }

    // Validated at start-up (LiveSimulationExtensions), so a parse failure here is a bug, not a configuration error.
    private ScenarioMix ConfiguredMix() =>
        _options.ScenarioMix is null ? ScenarioMix.Default
        : ScenarioMix.TryParse(_options.ScenarioMix, out var mix, out var error) ? mix
        : throw new InvalidOperationException(error);

    private void OnFailure(Confluent.Kafka.Error error)
    {
        metrics.Failed();
        logger.LogWarning("A message was not delivered: {Reason}", error.Reason);
    }
}
