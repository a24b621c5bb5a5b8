using Npgsql;

namespace Fraud.Api.Stats;

/// <summary>
/// The figures of <see cref="AlertStats"/> in one round trip. The batch runs in one implicit transaction, so
/// every statement sees the same <c>now()</c> and the same window. Nothing here comes from the request.
/// </summary>
internal sealed class StatsQueries(NpgsqlDataSource dataSource)
{
    public const int TopRules = 10;
    public const int TopCountries = 20;

    private const string WindowStart = "date_trunc('minute', now()) - interval '59 minutes'";

    public async Task<AlertStats> GetAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new($"""
            SELECT {WindowStart}, now(), count(*) FILTER (WHERE created_at >= now() - interval '1 minute')
            FROM fraud_alerts WHERE created_at >= {WindowStart}
            """));
        batch.BatchCommands.Add(new($"""
            SELECT minute, count(alert.tx_id)
            FROM generate_series({WindowStart}, date_trunc('minute', now()), interval '1 minute') AS minute
            LEFT JOIN fraud_alerts alert ON alert.created_at >= minute AND alert.created_at < minute + interval '1 minute'
            GROUP BY minute ORDER BY minute
            """));
        batch.BatchCommands.Add(new("""
            SELECT count(*) FILTER (WHERE status = 'confirmed_fraud'), count(*) FILTER (WHERE status = 'false_positive')
            FROM fraud_alerts WHERE status <> 'open'
            """));
        batch.BatchCommands.Add(new($"""
            SELECT rule, count(*) FROM fraud_alerts, unnest(rules) AS rule WHERE created_at >= {WindowStart}
            GROUP BY rule ORDER BY count(*) DESC, rule LIMIT {TopRules}
            """));
        batch.BatchCommands.Add(new($"""
            SELECT location, count(*) FROM fraud_alerts WHERE created_at >= {WindowStart}
            GROUP BY location ORDER BY count(*) DESC, location LIMIT {TopCountries}
            """));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var windowStart = reader.GetFieldValue<DateTimeOffset>(0);
        var windowEnd = reader.GetFieldValue<DateTimeOffset>(1);
        var lastMinute = reader.GetInt64(2);

        var perMinute = new List<MinuteCount>(60);
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            perMinute.Add(new MinuteCount(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (confirmed, falsePositives) = (reader.GetInt64(0), reader.GetInt64(1));

        var rules = new List<RuleCount>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rules.Add(new RuleCount(reader.GetString(0), reader.GetInt64(1)));
        }

        var countries = new List<CountryCount>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            countries.Add(new CountryCount(reader.GetString(0).TrimEnd(), reader.GetInt64(1)));
        }

        var reviewed = confirmed + falsePositives;
        return new AlertStats(windowStart, windowEnd, perMinute.Sum(minute => minute.Count), lastMinute, perMinute,
            new FeedbackSummary(confirmed, falsePositives, reviewed == 0 ? null : Math.Round((double)confirmed / reviewed, 4)),
            rules, countries);
    }
}
