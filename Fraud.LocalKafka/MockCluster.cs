using System.Net;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Fraud.LocalKafka;

/// <summary>
/// librdkafka's mock Kafka cluster: brokers with ids 1..N, each listening on a random 127.0.0.1 port,
/// running on librdkafka's own threads until disposed. Memory only.
/// </summary>
internal sealed class MockCluster : IDisposable
{
    private readonly KafkaHandle _client;
    private readonly MockClusterHandle _cluster;

    private MockCluster(KafkaHandle client, MockClusterHandle cluster, IReadOnlyList<IPEndPoint> brokerEndPoints)
    {
        _client = client;
        _cluster = cluster;
        BrokerEndPoints = brokerEndPoints;
    }

    /// <summary>Where the brokers really listen, in broker id order (from the cluster's bootstrap list).</summary>
    public IReadOnlyList<IPEndPoint> BrokerEndPoints { get; }

    public static unsafe MockCluster Create(int brokerCount)
    {
        // The mock cluster needs an rd_kafka_t for its bookkeeping; an unconnected producer is the cheapest.
        const int errstrSize = 512;
        byte* errstr = stackalloc byte[errstrSize];
        nint conf = Librdkafka.ConfNew();

        // This client never connects anywhere: skip its notices (e.g. "No bootstrap.servers configured"),
        // keep warnings and errors (from the mock brokers too, which log through it).
        if (Librdkafka.ConfSet(conf, "log_level", "4", errstr, errstrSize) != 0)
        {
            Librdkafka.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_conf_set failed: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }

        KafkaHandle client = Librdkafka.New(Librdkafka.ProducerType, conf, errstr, errstrSize);
        if (client.IsInvalid)
        {
            Librdkafka.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }

        MockClusterHandle cluster = Librdkafka.MockClusterNew(client, brokerCount);
        if (cluster.IsInvalid)
        {
            client.Dispose();
            throw new InvalidOperationException($"rd_kafka_mock_cluster_new({brokerCount}) failed.");
        }

        cluster.HoldOwner(client);
        string bootstraps = Marshal.PtrToStringUTF8(Librdkafka.MockClusterBootstraps(cluster)) ?? "";
        IPEndPoint[] endPoints = [.. bootstraps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPEndPoint.Parse)];
        return new MockCluster(client, cluster, endPoints);
    }

    /// <summary>The mock names no controller by default, and admin clients then wait for one forever.</summary>
    public void SetControllerId(int brokerId) => Librdkafka.MockSetControllerId(_cluster, brokerId);

    /// <summary>Lets consumer groups form as soon as the first member joins (Kafka's default waits 3 s).</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        Librdkafka.MockGroupInitialRebalanceDelayMs(_cluster, (int)delay.TotalMilliseconds);

    /// <summary>The mock has no CreateTopics handler, so topics are made here, before clients connect.</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor)
    {
        ErrorCode error = Librdkafka.MockTopicCreate(_cluster, name, partitions, replicationFactor);
        if (error != ErrorCode.NoError)
        {
            throw new InvalidOperationException($"Creating topic {name} ({partitions} partitions) failed: {Librdkafka.ErrorReason(error)}");
        }
    }

    /// <summary>Sets the address the broker reports in metadata, i.e. the one clients use after bootstrapping.</summary>
    public void AdvertiseBroker(int brokerId, string host, int port) =>
        Librdkafka.MockBrokerSetHostPort(_cluster, brokerId, host, port);

    public void Dispose()
    {
        // The cluster handle holds a reference on the client handle, so rd_kafka_destroy runs only after
        // rd_kafka_mock_cluster_destroy.
        _cluster.Dispose();
        _client.Dispose();
    }
}
