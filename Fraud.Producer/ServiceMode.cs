using Fraud.Messaging;
using Fraud.Producer.Service;

namespace Fraud.Producer;

/// <summary>The producer as the AppHost runs it: a web host with health and metrics that simulates live traffic.</summary>
internal static class ServiceMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddKafkaClients("kafka");
        builder.AddLiveSimulation();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.RunAsync();
        return 0;
    }
}
