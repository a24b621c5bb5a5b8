using Fraud.Producer;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKafkaClients("kafka");
builder.AddLiveTraffic();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
