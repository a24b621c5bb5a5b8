namespace Fraud.Producer;

internal static class LiveTrafficExtensions
{
    public static IHostApplicationBuilder AddLiveTraffic(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveTrafficOptions>()
            .Bind(builder.Configuration.GetSection(LiveTrafficOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<LiveTrafficService>();
        return builder;
    }
}
