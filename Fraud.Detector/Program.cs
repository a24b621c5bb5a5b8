using Fraud.Detector;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKafkaClients("kafka");
builder.AddFraudDatabase("fraud");
builder.AddRedisClient("redis");
builder.AddDetector();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
