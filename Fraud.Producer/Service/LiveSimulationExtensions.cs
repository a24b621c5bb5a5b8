using Fraud.Simulation;

namespace Fraud.Producer.Service;

internal static class LiveSimulationExtensions
{
    public static IHostApplicationBuilder AddLiveSimulation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProducerOptions>()
            .Bind(builder.Configuration.GetSection(ProducerOptions.Section))
            .ValidateDataAnnotations()
            .Validate(
                options => options.ScenarioMix is null || ScenarioMix.TryParse(options.ScenarioMix, out _, out _),
                $"{ProducerOptions.Section}:ScenarioMix must be name=weight pairs of {string.Join(", ", ScenarioMix.Names)}")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProducerMetrics>();
        builder.Services.AddHostedService<LiveSimulationService>();
        return builder;
    }
}
