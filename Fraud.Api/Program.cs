using Fraud.Api.Alerts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddFraudDatabase("fraud");
builder.AddRedisClient("redis");
builder.Services.AddSingleton<AlertQueries>();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapAlertsEndpoints();
app.Run();
