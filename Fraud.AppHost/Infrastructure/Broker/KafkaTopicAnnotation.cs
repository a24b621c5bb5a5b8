namespace Fraud.AppHost.Infrastructure.Broker;

/// <summary>A topic the system needs, declared on the broker resource.</summary>
public sealed record KafkaTopicAnnotation(string Name, int Partitions) : IResourceAnnotation;
