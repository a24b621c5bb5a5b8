using System.CommandLine;
using System.Globalization;
using Fraud.CommandLine;
using Fraud.Core;
using Fraud.Messaging;
using Fraud.Producer.Publishing;

namespace Fraud.Producer.CommandLine;

/// <summary><c>simulate</c>: the simulator into the broker, paced by a rate or by the event clock.</summary>
internal static class SimulateCommand
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var simulation = new SimulationArguments();
        var broker = new BrokerArguments("Transactions per second (wall clock); 0, the default, is as fast as possible.");
        var speedup = new Option<double?>("--speedup")
        {
            Description = "Pace by the event clock instead: simulated time runs this many times faster than the wall clock "
                + "(1 = real time, 1440 = a day a minute). Excludes --rate.",
            HelpName = "factor",
        };
        speedup.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is not > 0)
            {
                result.AddError("--speedup must be above 0.");
            }
        });
        var labelsTopic = new Option<string?>("--labels-topic")
        {
            Description = $"Also publish one label per transaction to this topic (key = tx_id); the option alone means {Topics.Labels.Name}.",
            HelpName = "topic",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result => result.Tokens.Count == 0 ? Topics.Labels.Name : result.Tokens[0].Value,
        };
        var command = new Command(
            "simulate",
            "Simulate labelled transactions into the broker (topic transactions.v1, key = user_id). "
            + "Runs until --count, --duration or Ctrl+C. Labels never travel with the transactions: use --labels-out or --labels-topic.");
        simulation.AddTo(command);
        broker.AddTo(command);
        command.Options.Add(speedup);
        command.Options.Add(labelsTopic);
        command.SetAction((parsed, cancellationToken) =>
        {
            if (!simulation.TryRead(parsed, out var plan, out string? problem))
            {
                return Task.FromResult(ExitCodes.Usage(problem));
            }

            if (broker.HasRate(parsed) && parsed.GetValue(speedup) is not null)
            {
                return Task.FromResult(ExitCodes.Usage("Choose one pace: --rate (transactions per second) or --speedup (event clock)."));
            }

            var pacer = parsed.GetValue(speedup) is { } factor
                ? Pacer.EventClock(factor, plan.Start, TimeProvider.System)
                : Pacer.PerSecond(broker.Rate(parsed), TimeProvider.System);
            return RunAsync(plan, pacer, broker.Bootstrap(parsed), broker.Topic(parsed), parsed.GetValue(labelsTopic), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        SimulationPlan plan, Pacer pacer, string? bootstrap, string topic, string? labelsTopic, CancellationToken cancellationToken)
    {
        var labels = plan.LabelsOut is { } labelsPath ? JsonlWriter.Create(labelsPath) : null;
        if (plan.LabelsOut is not null && labels is null)
        {
            return ExitCodes.BadUsage;
        }

        using (labels)
        using (var session = BrokerSession.Open(bootstrap))
        {
            if (session is null)
            {
                return ExitCodes.BadUsage;
            }

            var publisher = session.Publisher;
            var tally = await SimulationRun.RunAsync($"simulate → {topic}", plan, pacer, next =>
            {
                publisher.Publish(topic, next.Transaction.UserId.ToString(CultureInfo.InvariantCulture), TransactionJson.SerializeToUtf8Bytes(next.Transaction));
                labels?.WriteLine(LabelJson.SerializeToUtf8Bytes(next.Label));
                if (labelsTopic is not null)
                {
                    publisher.Publish(labelsTopic, next.Label.TxId, LabelJson.SerializeToUtf8Bytes(next.Label));
                }
            }, cancellationToken);

            // The run is done when the broker has acknowledged it, not when the last message left the loop.
            int inFlight = publisher.Flush(FlushTimeout);
            tally.Stop();
            var outputs = new List<(string, string)>
            {
                ("delivered", $"{publisher.Delivered:N0} messages to {session.BootstrapServers} ({topic}{(labelsTopic is null ? "" : $", {labelsTopic}")})"),
            };
            if (publisher.Failed > 0 || inFlight > 0)
            {
                outputs.Add(("not delivered", $"{publisher.Failed + inFlight:N0} messages; last error: {publisher.LastError ?? "timed out"}"));
            }

            if (labels is not null)
            {
                outputs.Add(("labels", labels.Path));
            }

            tally.Print("simulate", outputs);
            bool interrupted = cancellationToken.IsCancellationRequested && (plan.Count is not null || plan.Duration is not null);
            return publisher.Failed > 0 || inFlight > 0 || interrupted ? ExitCodes.Partial : ExitCodes.Ok;
        }
    }
}
