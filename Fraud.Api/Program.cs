using Fraud.Api;
using Fraud.Api.Alerts;
using Fraud.Api.Documentation;
using Fraud.Api.Feedback;
using Fraud.Api.Models;
using Fraud.Api.Monitoring;
using Fraud.Api.Rules;
using Fraud.Api.Security;
using Fraud.Api.Stats;
using Fraud.Api.Streaming;
using Fraud.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddFraudDatabase("fraud", connectTimeout: TimeSpan.FromSeconds(DatabaseOutageMiddleware.ConnectTimeoutSeconds));
builder.AddRedisClient("redis");
builder.AddKafkaClients("kafka");
builder.AddApiSecurity();
builder.AddApiLimits();
builder.AddApiDocumentation();
builder.AddFraudApi("fraud");
builder.AddAnomalyAlerting("fraud");

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<DatabaseOutageMiddleware>();   // a Postgres restart or outage is never a 500
app.UsePublicHosts();                             // a name the API does not answer to: refused before anything else
app.UseAnalystConsole();                         // static files hold no data: served before any key is asked for
app.UseApiSecurity();
app.UseApiLimits();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapAlertsEndpoints();
app.MapAlertStream();
app.MapFeedbackEndpoints();
app.MapStatsEndpoints();
app.MapRulesEndpoints();
app.MapModelsEndpoints();
app.MapApiKeyEndpoints();
app.Run();
