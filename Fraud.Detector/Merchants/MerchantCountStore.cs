using Fraud.Core.Features;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Merchants;

/// <summary>One transaction to count at its merchant: where it sits in the stream, and its merchant and UTC hour.</summary>
/// <param name="Partition">Its partition of the transactions topic.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="MerchantId">Its merchant.</param>
/// <param name="Hour">The start of its UTC hour.</param>
internal readonly record struct MerchantVisit(int Partition, long Offset, string MerchantId, DateTime Hour)
{
    public static MerchantVisit Of(int partition, long offset, string merchantId, DateTimeOffset ts) =>
        new(partition, offset, merchantId, new DateTime(ts.UtcTicks - (ts.UtcTicks % TimeSpan.TicksPerHour), DateTimeKind.Utc));
}

/// <summary>
/// The merchants' shared hour counts (migrations 008 and 010), which make every replica read the same merchant risk although
/// each decides only its own users: the detectors count every transaction at its merchant (<see cref="CountAsync"/>),
/// the API stores the known frauds' merchant and time in <c>labels</c>, and each detector reads both back into a
/// <see cref="MerchantRisk"/> (<see cref="LoadAsync"/>).
/// </summary>
internal sealed class MerchantCountStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Counts the visits exactly once, however often their batch is replayed and by whichever replica: in one database
    /// transaction it locks the partitions' positions, counts only the visits at or past them, and moves them on.
    /// </summary>
    /// <param name="topic">The transactions topic, which the positions belong to.</param>
    /// <param name="visits">The batch's transactions that have a merchant, in any order.</param>
    /// <returns>How many visits were counted (the rest had been counted before).</returns>
    public async Task<int> CountAsync(string topic, IReadOnlyList<MerchantVisit> visits, CancellationToken cancellationToken)
    {
        if (visits.Count == 0)
        {
            return 0;
        }

        int[] partitions = visits.Select(visit => visit.Partition).Distinct().Order().ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Locked in partition order, so two replicas that briefly share a partition (a rebalance) wait, never deadlock.
        await using var positions = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("""
                    INSERT INTO merchant_day_positions (topic, partition, next_offset)
                    SELECT $1, partition, 0 FROM unnest($2::integer[]) AS p (partition)
                    ON CONFLICT (topic, partition) DO NOTHING
                    """) { Parameters = { new() { Value = topic }, new() { Value = partitions } } },
                new("""
                    SELECT partition, next_offset FROM merchant_day_positions
                    WHERE topic = $1 AND partition = ANY($2) ORDER BY partition FOR UPDATE
                    """) { Parameters = { new() { Value = topic }, new() { Value = partitions } } },
            },
        };
        var countFrom = new Dictionary<int, long>();
        await using (var reader = await positions.ExecuteReaderAsync(cancellationToken))
        {
            // The reader starts at the first statement that returns rows: the SELECT.
            while (await reader.ReadAsync(cancellationToken))
            {
                countFrom[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }

        if (countFrom.Count != partitions.Length)
        {
            throw new InvalidOperationException($"merchant_day_positions: {countFrom.Count} of {partitions.Length} partitions' positions read.");
        }

        var counts = new SortedDictionary<(DateTime Hour, string MerchantId), long>();
        var nextOffsets = new Dictionary<int, long>();
        int counted = 0;
        foreach (var visit in visits)
        {
            if (visit.Offset < countFrom[visit.Partition])
            {
                continue;
            }

            var key = (visit.Hour, visit.MerchantId);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            nextOffsets[visit.Partition] = Math.Max(nextOffsets.GetValueOrDefault(visit.Partition), visit.Offset + 1);
            counted++;
        }

        if (counted > 0)
        {
            // Rows in (hour, merchant) order: two replicas adding to the same merchants lock them in the same order.
            await using var write = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new("""
                        INSERT INTO merchant_hours (hour, merchant_id, transactions)
                        SELECT hour, merchant_id, transactions FROM unnest($1::timestamptz[], $2::text[], $3::bigint[]) AS c (hour, merchant_id, transactions)
                        ORDER BY hour, merchant_id
                        ON CONFLICT (hour, merchant_id) DO UPDATE SET transactions = merchant_hours.transactions + excluded.transactions
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = counts.Keys.Select(key => key.Hour).ToArray() },
                            new() { Value = counts.Keys.Select(key => key.MerchantId).ToArray() },
                            new() { Value = counts.Values.ToArray() },
                        },
                    },
                    new("""
                        UPDATE merchant_day_positions p SET next_offset = n.next_offset
                        FROM unnest($2::integer[], $3::bigint[]) AS n (partition, next_offset)
                        WHERE p.topic = $1 AND p.partition = n.partition
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = topic },
                            new() { Value = nextOffsets.Keys.ToArray() },
                            new() { Value = nextOffsets.Values.ToArray() },
                        },
                    },
                },
            };
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return counted;
    }

    /// <summary>
    /// The merchant risk transactions on <paramref name="newestDay"/> read, and those up to
    /// <see cref="MerchantRisk.LateDays"/> days earlier: every merchant's transactions and known frauds on the days
    /// their windows can reach, by the hour for the days whose hours they read (the delay's last day) and by the day
    /// before. A fraud counts when its label says where and when it happened.
    /// </summary>
    /// <param name="options">The label delay and prior the risk is read with.</param>
    /// <param name="newestDay">The newest UTC day of the transactions to decide.</param>
    public async Task<MerchantRisk> LoadAsync(MerchantRiskOptions options, DateOnly newestDay, CancellationToken cancellationToken)
    {
        var delayEnds = newestDay.AddDays(-options.LabelDelayDays);
        var oldest = Midnight(delayEnds.AddDays(-MerchantRisk.LongestWindowDays - MerchantRisk.LateDays));
        var hourlyFrom = Midnight(delayEnds.AddDays(-MerchantRisk.LateDays));
        var end = Midnight(delayEnds.AddDays(1));
        var merchants = new MerchantRisk(options);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Period("""
                    SELECT (hour AT TIME ZONE 'UTC')::date, merchant_id, sum(transactions)::bigint FROM merchant_hours
                    WHERE hour >= $1 AND hour < $2 GROUP BY 1, 2
                    """, oldest, hourlyFrom),
                Period("SELECT hour, merchant_id, transactions FROM merchant_hours WHERE hour >= $1 AND hour < $2", hourlyFrom, end),
                Period("""
                    SELECT (ts AT TIME ZONE 'UTC')::date, merchant_id, count(*) FROM labels
                    WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
                    GROUP BY 1, 2
                    """, oldest, hourlyFrom),
                Period("""
                    SELECT date_trunc('hour', ts, 'UTC'), merchant_id, count(*) FROM labels
                    WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
                    GROUP BY 1, 2
                    """, hourlyFrom, end),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        for (int result = 0; result < 4; result++)
        {
            if (result > 0)
            {
                await reader.NextResultAsync(cancellationToken);
            }

            bool byHour = result % 2 == 1, frauds = result >= 2;
            while (await reader.ReadAsync(cancellationToken))
            {
                string merchantId = reader.GetString(1);
                int count = checked((int)reader.GetInt64(2));
                var (transactionCount, fraudCount) = frauds ? (0, count) : (count, 0);
                if (byHour)
                {
                    merchants.Add(merchantId, reader.GetFieldValue<DateTimeOffset>(0), transactionCount, fraudCount);
                }
                else
                {
                    merchants.Add(merchantId, reader.GetFieldValue<DateOnly>(0), transactionCount, fraudCount);
                }
            }
        }

        return merchants;
    }

    private static DateTime Midnight(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static NpgsqlBatchCommand Period(string sql, DateTime from, DateTime until) => new(sql)
    {
        Parameters =
        {
            new() { Value = from, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            new() { Value = until, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        },
    };
}
