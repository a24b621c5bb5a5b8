namespace Fraud.AppHost.Infrastructure.Prometheus;

/// <summary>An address Prometheus scrapes and the <c>replica</c> label it gets.</summary>
internal sealed record ScrapeTarget(string Address, string Replica);
