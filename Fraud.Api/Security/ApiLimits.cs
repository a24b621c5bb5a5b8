using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;

namespace Fraud.Api.Security;

/// <summary>Settings under <c>Api:Limits</c>: how much one client may ask, and how many may listen to the stream.</summary>
public sealed class ApiLimitOptions
{
    public const string Section = "Api:Limits";

    /// <summary>Rate limiting per key (or per address without one). Unset: on everywhere but Development, where load
    /// tests and the fault tests send thousands of requests from one address.</summary>
    public bool? RateLimiting { get; set; }

    /// <summary>Reads (GET, HEAD) per second per client, and the burst a client may spend at once.</summary>
    public int ReadsPerSecond { get; set; } = 50;
    public int ReadBurst { get; set; } = 200;

    /// <summary>Writes per second per client, and their burst: verdicts come at a human's pace.</summary>
    public int WritesPerSecond { get; set; } = 5;
    public int WriteBurst { get; set; } = 20;

    /// <summary>Live streams open at once on one API process; the next is a 503. Each holds a buffer of 256 alerts.</summary>
    public int MaxStreamClients { get; set; } = 100;

    /// <summary>A request that is not a stream ends within this (training has its own, longer one).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The live stream's places: one taken per open stream, given back when its request ends, however it ends.</summary>
internal sealed class StreamSlots(Microsoft.Extensions.Options.IOptions<ApiLimitOptions> options)
{
    private int _taken;

    public int Open => Volatile.Read(ref _taken);

    /// <returns>The place, to dispose when the stream ends; null when every place is taken.</returns>
    public IDisposable? TryTake()
    {
        if (Interlocked.Increment(ref _taken) <= options.Value.MaxStreamClients)
        {
            return new Slot(this);
        }

        Interlocked.Decrement(ref _taken);
        return null;
    }

    private sealed class Slot(StreamSlots slots) : IDisposable
    {
        private int _returned;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                Interlocked.Decrement(ref slots._taken);
            }
        }
    }
}

/// <summary>
/// ASP.NET Core's rate limiting (token buckets per key name, or per remote address for requests without a key; reads
/// and writes separately; 429 with <c>Retry-After</c> and a problem body) and request timeouts (504 problem).
/// </summary>
internal static class ApiLimitsExtensions
{
    public const string TrainingTimeoutPolicy = "training";

    public static WebApplicationBuilder AddApiLimits(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ApiLimitOptions.Section);
        builder.Services.AddOptions<ApiLimitOptions>().Bind(section)
            .Validate(limits => limits.ReadsPerSecond > 0 && limits.ReadBurst > 0 && limits.WritesPerSecond > 0 && limits.WriteBurst > 0 && limits.MaxStreamClients > 0,
                "Api:Limits: rates, bursts and MaxStreamClients must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<StreamSlots>();
        var limits = section.Get<ApiLimitOptions>() ?? new ApiLimitOptions();
        if (limits.RateLimiting ?? !builder.Environment.IsDevelopment())
        {
            builder.Services.AddRateLimiter(options =>
            {
                options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limits));
                options.OnRejected = async (rejected, cancellationToken) =>
                {
                    var context = rejected.HttpContext;
                    context.RequestServices.GetRequiredService<RefusalMetrics>().Refused(RefusalMetrics.RateLimited);
                    int retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                    context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await TypedResults.Problem($"Too many requests from this client; retry after {retryAfter} s.",
                        statusCode: StatusCodes.Status429TooManyRequests, title: "Rate limited").ExecuteAsync(context);
                };
            });
        }

        builder.Services.AddRequestTimeouts(options =>
        {
            options.DefaultPolicy = TimeoutPolicy(limits.RequestTimeout);
            options.AddPolicy(TrainingTimeoutPolicy, TimeoutPolicy(TimeSpan.FromMinutes(15)));
        });
        return builder;
    }

    /// <summary>After authentication, so a request is counted against its key's name.</summary>
    public static WebApplication UseApiLimits(this WebApplication app)
    {
        if (app.Services.GetService<Microsoft.Extensions.Options.IOptions<RateLimiterOptions>>()?.Value.GlobalLimiter is not null)
        {
            app.UseRateLimiter();
        }

        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>Probes are never limited (a throttled kubelet restarts the pod); everything else per client, reads and writes apart.</summary>
    private static RateLimitPartition<string> Partition(HttpContext context, ApiLimitOptions limits)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/alive"))
        {
            return RateLimitPartition.GetNoLimiter("probes");
        }

        string client = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? $"key:{name}" : $"ip:{context.Connection.RemoteIpAddress}";
        bool read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        return read
            ? RateLimitPartition.GetTokenBucketLimiter($"read {client}", _ => Bucket(limits.ReadsPerSecond, limits.ReadBurst))
            : RateLimitPartition.GetTokenBucketLimiter($"write {client}", _ => Bucket(limits.WritesPerSecond, limits.WriteBurst));
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,   // refuse at once: a queued request only holds a connection longer
        AutoReplenishment = true,
    };

    private static RequestTimeoutPolicy TimeoutPolicy(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        WriteTimeoutResponse = context => TypedResults.Problem($"The request did not finish within {timeout.TotalSeconds:0} s.",
            statusCode: StatusCodes.Status504GatewayTimeout, title: "Request timed out").ExecuteAsync(context),
    };
}
