using Fraud.Detector;
using Fraud.Detector.Offline;

// `train`, `score` and `evaluate` work on files and exit; without a verb this is the online service.
if (OfflineCommands.AreRequested(args))
{
    return OfflineCommands.Run(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKafkaClients("kafka");
builder.AddFraudDatabase("fraud");
builder.AddRedisClient("redis");
builder.AddDetector();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
