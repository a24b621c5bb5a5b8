namespace Fraud.LocalKafka;

/// <summary>A topic to create at start-up.</summary>
internal sealed record TopicSpec(string Name, int Partitions)
{
    public override string ToString() => $"{Name}({Partitions})";
}

/// <summary>Command-line settings.</summary>
internal sealed record LocalKafkaOptions(
    int ListenPort,
    string AdvertisedHost,
    int AdvertisedPort,
    IReadOnlyList<TopicSpec> Topics,
    int Brokers)
{
    public const string Usage = """
        Fraud.LocalKafka: librdkafka's mock Kafka cluster behind a fixed local port, for machines with no
        container runtime. Memory only; a development and test stand-in for a real broker.

        Usage:
          Fraud.LocalKafka --port <listenPort> [--advertised-host <host>] [--advertised-port <port>]
                           [--topic <name>:<partitions>]... [--brokers 1]

        Options:
          --port <listenPort>         Port to listen on (127.0.0.1). Required.
          --advertised-host <host>    Host the broker reports to clients in metadata. Default: 127.0.0.1.
          --advertised-port <port>    Port the broker reports to clients (e.g. a proxy in front of
                                      --port). Default: the listen port.
          --topic <name>:<partitions> Topic to create at start-up; repeat for more. The mock cannot create
                                      topics through the admin API; unknown topics are auto-created with
                                      4 partitions when first used.
          --brokers 1                 Number of brokers. Only 1 is supported: only one port is forwarded.
          -h, --help                  Show this help.

        Options also accept --name=value. Prints one "LocalKafka ready: ..." line once clients can connect;
        stops cleanly on SIGTERM or Ctrl+C. For fault tests (Linux): SIGUSR1 drops every client connection and
        refuses new ones, SIGUSR2 accepts them again; the topics and offsets stay. Exit codes: 0 stopped, 1 failed to start, 2 bad arguments.
        """;

    private const string DefaultAdvertisedHost = "127.0.0.1";

    public static bool IsHelpRequest(IEnumerable<string> args) => args.Any(arg => arg is "-h" or "--help" or "-?");

    /// <exception cref="FormatException">An argument is unknown, lacks its value, or is invalid.</exception>
    public static LocalKafkaOptions Parse(IReadOnlyList<string> args)
    {
        int? listenPort = null;
        int? advertisedPort = null;
        string advertisedHost = DefaultAdvertisedHost;
        int brokers = 1;
        var topics = new List<TopicSpec>();

        for (int i = 0; i < args.Count; i++)
        {
            // Both "--name value" and "--name=value".
            string name = args[i];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (name is not ("--port" or "--advertised-host" or "--advertised-port" or "--topic" or "--brokers"))
            {
                throw new FormatException($"Unknown argument '{args[i]}'.");
            }

            value ??= i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value.");
            switch (name)
            {
                case "--port":
                    listenPort = ParsePort(name, value);
                    break;
                case "--advertised-host":
                    advertisedHost = string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace)
                        ? throw new FormatException($"--advertised-host '{value}' is not a host name or address.")
                        : value;
                    break;
                case "--advertised-port":
                    advertisedPort = ParsePort(name, value);
                    break;
                case "--topic":
                    TopicSpec topic = ParseTopic(value);
                    if (topics.Any(existing => existing.Name == topic.Name))
                    {
                        throw new FormatException($"--topic {topic.Name} is given twice.");
                    }

                    topics.Add(topic);
                    break;
                case "--brokers":
                    brokers = int.TryParse(value, out int count) && count == 1
                        ? count
                        : throw new FormatException($"--brokers '{value}': only 1 broker is supported (one port is forwarded).");
                    break;
            }
        }

        if (listenPort is not { } port)
        {
            throw new FormatException("--port is required.");
        }

        return new LocalKafkaOptions(port, advertisedHost, advertisedPort ?? port, topics, brokers);
    }

    private static int ParsePort(string option, string value) =>
        int.TryParse(value, out int port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"{option} '{value}' is not a TCP port (1-65535).");

    private static TopicSpec ParseTopic(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            throw new FormatException($"--topic '{value}' must be <name>:<partitions>, e.g. transactions.v1:6.");
        }

        string name = value[..colon];
        string partitionsText = value[(colon + 1)..];

        // Kafka's own rule for topic names.
        if (name.Length is 0 or > 249 || name is "." or ".." || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new FormatException($"--topic '{value}': '{name}' is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -).");
        }

        if (!int.TryParse(partitionsText, out int partitions) || partitions < 1)
        {
            throw new FormatException($"--topic '{value}': '{partitionsText}' is not a partition count (1 or more).");
        }

        return new TopicSpec(name, partitions);
    }
}
