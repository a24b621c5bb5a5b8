using Fraud.Api;
using Fraud.Api.Console;
using Fraud.Api.Documentation;
using Fraud.Api.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddFraudDatabase("fraud");
builder.AddRedisClient("redis");
builder.AddKafkaClients("kafka");
builder.AddApiSecurity();
builder.AddApiDocumentation();
builder.AddFraudApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseApiSecurity();
app.UseAnalystConsole();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapFraudApi();
app.Run();
