namespace Fraud.AppHost.Infrastructure.Postgres;

/// <summary>A database inside a <see cref="LocalPostgresResource"/>.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent, string owner, string ownerPassword)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent => parent;
    public string DatabaseName => databaseName;
    internal string Owner => owner;
    internal string OwnerPassword => ownerPassword;

    /// <summary>The owner's connection string.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Parent.PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={Parent.PrimaryEndpoint.Property(EndpointProperty.Port)};Username={Owner};Password={OwnerPassword};Database={DatabaseName}");
}
