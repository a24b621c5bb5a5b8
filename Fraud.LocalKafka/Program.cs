using System.Net;
using System.Runtime.InteropServices;
using Fraud.LocalKafka;

// A Kafka-protocol broker for machines with no container runtime: librdkafka's mock cluster, reachable on a
// fixed port and advertising the address clients were given. See LocalKafkaOptions.Usage.

if (LocalKafkaOptions.IsHelpRequest(args))
{
    Console.WriteLine(LocalKafkaOptions.Usage);
    return 0;
}

LocalKafkaOptions options;
try
{
    options = LocalKafkaOptions.Parse(args);
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"LocalKafka: {ex.Message} Run with --help for usage.");
    return 2;
}

// SIGTERM is how the AppHost stops us; handling it (and Ctrl+C) ourselves lets the sockets and the native
// cluster be torn down before a clean exit code 0.
using var stopping = new CancellationTokenSource();
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
TcpForwarder? faultTarget = null;
using var onCut = OperatingSystem.IsLinux() ? PosixSignalRegistration.Create(BrokerOutageSignals.Cut, Cut) : null;
using var onRestore = OperatingSystem.IsLinux() ? PosixSignalRegistration.Create(BrokerOutageSignals.Restore, Restore) : null;

try
{
    using MockCluster cluster = MockCluster.Create(options.Brokers);
    cluster.SetControllerId(1);
    cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
    foreach (TopicSpec topic in options.Topics)
    {
        cluster.CreateTopic(topic.Name, topic.Partitions, replicationFactor: Math.Min(options.Brokers, 3));
    }

    // Clients bootstrap via the advertised address and must keep using it, never the mock's random port.
    cluster.AdvertiseBroker(brokerId: 1, options.AdvertisedHost, options.AdvertisedPort);

    await using TcpForwarder forwarder = TcpForwarder.Start(new IPEndPoint(IPAddress.Loopback, options.ListenPort), cluster.BrokerEndPoints[0]);
    faultTarget = forwarder;
    Console.WriteLine(
        $"LocalKafka ready: listening {forwarder.ListenEndPoint}, advertised {options.AdvertisedHost}:{options.AdvertisedPort}, " +
        $"topics {(options.Topics.Count == 0 ? "none" : string.Join(", ", options.Topics))}, " +
        $"mock broker {cluster.BrokerEndPoints[0]}, librdkafka {Librdkafka.Version} ({Path.GetFileName(Librdkafka.LoadedFrom)})");

    await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    faultTarget = null;
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
{
    await Console.Error.WriteLineAsync($"LocalKafka: failed to start: {ex.Message}");
    return 1;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}

// Fault injection (BrokerOutageSignals): the broker's network goes away and comes back; its data stays.
void Cut(PosixSignalContext context)
{
    context.Cancel = true;
    if (faultTarget is { } forwarder)
    {
        Console.WriteLine($"LocalKafka: outage: dropped {forwarder.Cut()} connection(s), refusing new ones until SIGUSR2.");
    }
}

void Restore(PosixSignalContext context)
{
    context.Cancel = true;
    if (faultTarget is { } forwarder)
    {
        forwarder.Restore();
        Console.WriteLine("LocalKafka: outage over: accepting connections again.");
    }
}
