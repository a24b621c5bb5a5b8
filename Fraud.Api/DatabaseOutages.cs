using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Fraud.Api;

/// <summary>
/// Keeps a Postgres restart or outage from ever answering 500. A restart breaks every pooled connection, and Npgsql
/// learns it only when a request uses one; so on a transient database failure the pool is cleared (every idle
/// connection is dropped) and the request runs again on a fresh connection, up to three times, if repeating it is
/// safe (Polly: a short linear pause with jitter, so the requests of one outage do not all come back at once). When the last run fails too, or repeating is not safe, Postgres is unavailable: 503 problem+json with <c>Retry-After</c> (after at
/// most <see cref="ConnectTimeoutSeconds"/> when connecting hangs, at once when it is refused).
/// </summary>
internal sealed class DatabaseOutageMiddleware(RequestDelegate next, NpgsqlDataSource dataSource, ILogger<DatabaseOutageMiddleware> logger)
{
    public const int RetryAfterSeconds = 2;

    /// <summary>The API's connect timeout: Postgres answers a connect in milliseconds when it is up.</summary>
    public const int ConnectTimeoutSeconds = 3;

    /// <summary>Runs of a repeatable request at most, each after clearing the pool.</summary>
    private const int MaxAttempts = 3;

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(25);
    private static readonly ResiliencePropertyKey<HttpContext> Request = new("http-context");

    private readonly ResiliencePipeline _reruns = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // A connect that timed out would only time out again: only a broken connection is worth another try.
            // More than one: requests running while the pool is cleared can still be handed a broken connection.
            ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Exception is { } ex
                && IsTransient(ex) && ex.InnerException is not TimeoutException
                && arguments.Context.Properties.GetValue(Request, null!) is var context && IsRepeatable(context) && CanAnswer(context)),
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Linear,
            UseJitter = true,
            Delay = RetryPause,
            OnRetry = arguments =>
            {
                var context = arguments.Context.Properties.GetValue(Request, null!);
                logger.LogWarning("{Method} {Path}: database failure ({Reason}); clearing the connection pool and retrying",
                    context.Request.Method, context.Request.Path, arguments.Outcome.Exception!.Message);
                dataSource.Clear();
                context.Response.Clear();
                context.Request.Body.Position = 0;
                return default;
            },
        })
        .Build();

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsRepeatable(context))
        {
            // So a later run can read the body again (bodies are at most 16 KiB: kept in memory).
            context.Request.EnableBuffering();
        }

        var resilience = ResilienceContextPool.Shared.Get(context.RequestAborted);
        resilience.Properties.Set(Request, context);
        try
        {
            await _reruns.ExecuteAsync(async _ => await next(context), resilience);
        }
        catch (Exception ex) when (IsTransient(ex) && CanAnswer(context))
        {
            logger.LogWarning("{Method} {Path}: database failure ({Reason}); clearing the connection pool",
                context.Request.Method, context.Request.Path, ex.Message);
            dataSource.Clear();
            await AnswerUnavailableAsync(context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>
    /// A failure a moment later may not repeat: the server went away (a restart, a crash), refused or dropped the
    /// connection, or is out of connections. Npgsql classifies most of these; the shutdown codes (57P01-57P03) and
    /// connection exceptions (class 08) are named here as well. Npgsql wraps every I/O failure in an
    /// <see cref="NpgsqlException"/>, so other exceptions are never the database's.
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        _ => false,
    };

    /// <summary>
    /// Idempotent methods (RFC 9110) and endpoints marked <see cref="RepeatableRequest"/> may run twice: a repeat
    /// leaves the same state as one run.
    /// </summary>
    private static bool IsRepeatable(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
        || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method)
        || context.GetEndpoint()?.Metadata.GetMetadata<RepeatableRequest>() is not null;

    private static bool CanAnswer(HttpContext context) =>
        !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested;

    private static async Task AnswerUnavailableAsync(HttpContext context)
    {
        context.Response.Clear();
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem($"The database is not available at the moment; retry in {RetryAfterSeconds} seconds.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable").ExecuteAsync(context);
    }
}

/// <summary>Marks a non-idempotent-by-method endpoint (a POST) whose effect is the same when it runs twice.</summary>
internal sealed class RepeatableRequest
{
    public static readonly RepeatableRequest Instance = new();
}
