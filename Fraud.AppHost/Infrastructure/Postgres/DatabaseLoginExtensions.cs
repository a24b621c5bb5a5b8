namespace Fraud.AppHost.Infrastructure.Postgres;

public static class DatabaseLoginExtensions
{
    /// <summary>
    /// The database's two logins: its owner, which runs the migrations, and the services' login (<c>fraud_service</c>),
    /// which may only read and write rows. Published for a managed database (azd with <c>Postgres:Managed=true</c>),
    /// both are connection strings asked at deployment, <c>fraud-owner</c> and <paramref name="database"/>
    /// (docs/deploy.md); otherwise a Postgres server of the chosen infrastructure, with a generated password for the services.
    /// </summary>
    public static (IResourceBuilder<IResourceWithConnectionString> Owner, IResourceBuilder<IResourceWithConnectionString> Service) AddFraudDatabaseLogins(
        this IFraudInfrastructure infrastructure, string server, string database)
    {
        var builder = infrastructure.Builder;
        if (builder.PublishesManagedPostgres())
        {
            return (builder.AddConnectionString($"{database}-owner"), builder.AddConnectionString(database));
        }

        var fraud = infrastructure.AddDatabase(server, database);
        return (fraud.Owner, fraud.AddServiceLogin($"{database}-service", user: "fraud_service"));
    }

    /// <summary>
    /// A services' login on the database: user <paramref name="user"/> with a generated password (a secret parameter,
    /// <c>{name}-password</c>). The services' migrator, which runs as the database's owner, creates the role, sets its
    /// password at each start and grants it the tables' rows only (Fraud.ServiceDefaults, DatabaseMigrator).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddServiceLogin(this FraudDatabase database, string name, string user)
    {
        var builder = database.Owner.ApplicationBuilder;
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        var server = database.Server;
        return builder.AddConnectionString(name, ReferenceExpression.Create(
            $"Host={server.Property(database.Host)};Port={server.Property(EndpointProperty.Port)};Username={user};Password={password.Resource};Database={database.DatabaseName}"));
    }
}
