namespace Fraud.AppHost.Infrastructure.Postgres;

public static class DatabaseLoginExtensions
{
    /// <summary>
    /// The database's three logins: its owner, which runs the migrations; the services' login (<c>fraud_service</c>), which
    /// may only read and write rows; and the detector's (<c>fraud_detector</c>), the same but only reading the tables the
    /// API owns (<c>models</c>, <c>rule_sets</c>). Published for a managed database (azd with <c>Postgres:Managed=true</c>),
    /// all are connection strings asked at deployment, <c>fraud-owner</c>, <paramref name="database"/> and
    /// <c>fraud-detector</c> (docs/deploy.md); otherwise a Postgres server of the chosen infrastructure, with generated
    /// passwords for the services.
    /// </summary>
    public static (IResourceBuilder<IResourceWithConnectionString> Owner, IResourceBuilder<IResourceWithConnectionString> Service,
        IResourceBuilder<IResourceWithConnectionString> Detector) AddFraudDatabaseLogins(this IFraudInfrastructure infrastructure, string server, string database)
    {
        var builder = infrastructure.Builder;
        if (builder.PublishesManagedPostgres())
        {
            return (builder.AddConnectionString($"{database}-owner"), builder.AddConnectionString(database), builder.AddConnectionString($"{database}-detector"));
        }

        var fraud = infrastructure.AddDatabase(server, database);
        return (fraud.Owner, fraud.AddServiceLogin($"{database}-service", user: "fraud_service"),
            fraud.AddServiceLogin($"{database}-detector", user: "fraud_detector"));
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
