using System.Globalization;
using Fraud.Core;
using Fraud.Messaging;
using Fraud.Producer.Publishing;
using Fraud.Simulation;
using Microsoft.Extensions.Options;

namespace Fraud.Producer.Service;

/// <summary>
/// The running system's live traffic: the simulator with its event clock on the wall clock, so transactions are
/// stamped "now" and arrive at <see cref="ProducerOptions.Rate"/> per second on average (more by day). It starts with
/// a backfill (<see cref="ProducerOptions.BackfillTransactions"/>): the simulated stretch just before now, sent at once
/// with its past event times, so the detector sees card holders with history from the first seconds. Labels go to
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

        var now = time.GetUtcNow();
        var simulation = new SimulationOptions
        {
            Seed = _options.Seed ?? (int)(now.ToUnixTimeSeconds() % int.MaxValue),
            Users = SimulationOptions.UsersFor(_options.Rate),
            FraudRate = _options.FraudRate,
            ScenarioMix = ConfiguredMix(),
        };
        var backfillStart = Backfill.StartFor(now, simulation.MeanTransactionsPerSecond, _options.BackfillTransactions);
        if (backfillStart < now && TopicHistory.NewestEventTime(kafka, _options.Topic) is { } newest && newest > backfillStart)
        {
            backfillStart = newest < now ? newest : now;
        }

        simulation = simulation with { Start = backfillStart };
        var simulator = new TransactionSimulator(simulation);
        // Event time meets the wall clock at now: the backfill before it is due at once, the rest when its time comes.
        var pacer = Pacer.EventClock(speedup: 1, now, time);
        string? labelsTopic = string.IsNullOrWhiteSpace(_options.LabelsTopic) ? null : _options.LabelsTopic;
        using var publisher = new KafkaPublisher(kafka.CreateProducer<string, byte[]>(), OnFailure);
        logger.LogInformation(
            "Simulating {Rate} tx/s on average ({Users} users, seed {Seed}, fraud rate {FraudRate}) to {Topic}, labels to {LabelsTopic}; backfilling about {Backfill} transactions since {Start:O}",
            _options.Rate, simulation.Users, simulation.Seed, simulation.FraudRate, _options.Topic, labelsTopic ?? "nowhere", _options.BackfillTransactions, simulation.Start);

        bool backfilling = simulation.Start < now;
        for (long sequence = 0; ; sequence++)
        {
            var next = simulator.Next();
            if (backfilling && next.Transaction.Ts >= now)
            {
                backfilling = false;
                logger.LogInformation("Backfilled {Count} transactions since {Start:O} in {Elapsed:0.0} s; now following the wall clock",
                    sequence, simulation.Start, (time.GetUtcNow() - now).TotalSeconds);
            }

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
