using Fraud.AppHost.Infrastructure;
using Fraud.AppHost.Infrastructure.Broker;
using Fraud.AppHost.Infrastructure.Postgres;
using Fraud.Messaging;

var builder = DistributedApplication.CreateBuilder(args);

// Containers (Redpanda, Postgres, Redis images) or local processes, chosen once (Infra:Mode; Infrastructure/InfraMode.cs).
var infra = builder.ChooseInfrastructure();

var kafka = infra.AddBroker("kafka")
    .WithTopic(Topics.Transactions, partitions: builder.GetInt("Kafka:TransactionsPartitions", Topics.Transactions.Partitions))
    .WithTopic(Topics.DeadLetters)
    .WithTopic(Topics.Labels)   // the simulator's ground truth: evaluation, and the API stores it to train the classifier
    .WithTopic(Topics.Alerts);
// The database's owner runs the migrations; the services query as fraud_service, which may only read and write rows,
// the detector as fraud_detector, which may only read the models and rule sets the API owns.
var (fraudDb, fraudService, fraudDetector) = infra.AddFraudDatabaseLogins("postgres", "fraud");
var redis = infra.AddRedis("redis");
// Writes to the API need this key (header X-Api-Key). Set Parameters:api-key (user secrets, environment, or
// the development-only default in appsettings.Development.json); publishing asks for it as a secret input.
var apiKey = builder.AddParameter("api-key", secret: true);
// The anomaly-rate webhooks: optional secrets (README, "Anomaly-rate webhooks"); --Alerting:Secret=… still sets them.
var webhookSecret = builder.AddOptionalSecret("alerting-secret", fallbackKey: "Alerting:Secret");
var webhookUrls = builder.AddOptionalSecret("alerting-webhooks", fallbackKey: "Alerting:Webhooks");

// Any service setting can be overridden from the AppHost's configuration, e.g. --Detector:BatchSize=10.
var producer = builder.AddProject<Projects.Fraud_Producer>("producer")
    .WithAppHostEnvironment()
    .WithSettingsFrom("Producer")
    .WithReference(kafka).WaitFor(kafka)
    .WithHttpEndpoint()
    .WithHttpHealthCheck("/health");

var detector = builder.AddProject<Projects.Fraud_Detector>("detector")
    .WithAppHostEnvironment()
    .WithSettingsFrom("Detector")
    .WithReplicas(builder.GetInt("Detector:Replicas", 1))   // one consumer group: replicas split the partitions
    .WithGen0Budget(megabytes: 32)         // shorter, more frequent collections: a shorter latency tail
    .WithReference(kafka).WaitFor(kafka)
    .WithReference(fraudDetector).WithReference(fraudDb, connectionName: "fraud-owner").WaitFor(fraudDb)
    .WithReference(redis).WaitFor(redis)
    .WithServiceHttpPort(9000)             // the seed's metrics port: http://localhost:9000/metrics (round-robin over replicas)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.Fraud_Api>("api")
    .WithAppHostEnvironment()              // Development locally: reads open; a deployment's Production needs keys for them
    .WithSettingsFrom("Api")
    .WithSettingsFrom("Training")          // the model trainer (POST /models/train, its schedule) and the first models and rules
    .WithModelInStateFolder()
    .WithSettingsFrom("Alerting")          // the anomaly-rate alarm and its webhooks (README, "Watching it run")
    .WithReplicas(builder.GetInt("Api:Replicas", 1))        // one sends the webhooks, one trains (Postgres advisory locks)
    .WithReference(kafka).WaitFor(kafka)   // alerts.v1 feeds the live stream and the alarm; transactions.labels.v1 the labels table
    .WithReference(fraudService, connectionName: "fraud").WithReference(fraudDb, connectionName: "fraud-owner").WaitFor(fraudDb)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Api__Key", apiKey)
    .WithEnvironment("Alerting__Secret", webhookSecret)
    .WithEnvironment("Alerting__WebhookUrls", webhookUrls)
    .WithServiceHttpPort(8080)             // the seed's API port
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// Scrapes every replica of the services (http://localhost:9090 in run mode); rules in deploy/prometheus/rules.
// Not published for Azure Container Apps: azd would ignore their configuration folders (docs/deploy.md).
var prometheus = infra.AddPrometheus("prometheus", producer, detector, api);
infra.AddGrafana("grafana", prometheus);   // containers only (no Debian package): http://localhost:3000

builder.Build().Run();
