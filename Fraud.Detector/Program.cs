using Fraud.Detector;
using Fraud.Detector.Offline;
using Fraud.Messaging;

// `train`, `score` and `evaluate` work on files and exit; without a verb this is the online service.
if (OfflineCommands.AreRequested(args))
{
    return OfflineCommands.Run(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKafkaClients("kafka");
// A login of its own, which may only read the models and rule sets the API owns.
builder.AddFraudDatabase("fraud-detector", ownerConnectionName: "fraud-owner", readOnlyTables: ["models", "rule_sets"]);
// Redis is best effort here: while it is down, fail at once rather than queue commands and stall the consume loop.
builder.AddRedisClient("redis", configureOptions: options => options.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast);
builder.AddDetector();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
