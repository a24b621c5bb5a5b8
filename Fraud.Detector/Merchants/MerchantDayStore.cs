using Fraud.Core.Features;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Merchants;

/// <summary>One transaction to count at its merchant: where it sits in the stream, and its merchant and UTC day.</summary>
/// <param name="Partition">Its partition of the transactions topic.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="MerchantId">Its merchant.</param>
/// <param name="Day">Its UTC day.</param>
internal readonly record struct MerchantVisit(int Partition, long Offset, string MerchantId, DateOnly Day);

/// <summary>
/// The merchants' shared day counts (migration 008), which make every replica read the same merchant risk although
/// each decides only its own users: the detectors count every transaction at its merchant (<see cref="CountAsync"/>),
/// the API stores the known frauds' merchant and time in <c>labels</c>, and each detector reads both back into a
/// <see cref="MerchantRisk"/> (<see cref="LoadAsync"/>).
/// </summary>
internal sealed class MerchantDayStore(NpgsqlDataSource dataSource)
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

        var counts = new SortedDictionary<(DateOnly Day, string MerchantId), long>();
        var nextOffsets = new Dictionary<int, long>();
        int counted = 0;
        foreach (var visit in visits)
        {
            if (visit.Offset < countFrom[visit.Partition])
            {
                continue;
            }

            var key = (visit.Day, visit.MerchantId);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            nextOffsets[visit.Partition] = Math.Max(nextOffsets.GetValueOrDefault(visit.Partition), visit.Offset + 1);
            counted++;
        }

        if (counted > 0)
        {
            // Rows in (day, merchant) order: two replicas adding to the same merchants lock them in the same order.
            await using var write = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new("""
                        INSERT INTO merchant_days (day, merchant_id, transactions)
                        SELECT day, merchant_id, transactions FROM unnest($1::date[], $2::text[], $3::bigint[]) AS c (day, merchant_id, transactions)
                        ORDER BY day, merchant_id
                        ON CONFLICT (day, merchant_id) DO UPDATE SET transactions = merchant_days.transactions + excluded.transactions
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = counts.Keys.Select(key => key.Day).ToArray() },
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
    /// <see cref="LateDays"/> days earlier: every merchant's transactions and known frauds on the days their windows
    /// can reach. A fraud counts when its label says where and when it happened.
    /// </summary>
    /// <param name="options">The label delay and prior the risk is read with.</param>
    /// <param name="newestDay">The newest UTC day of the transactions to decide.</param>
    public async Task<MerchantRisk> LoadAsync(MerchantRiskOptions options, DateOnly newestDay, CancellationToken cancellationToken)
    {
        var newestRead = newestDay.AddDays(-options.LabelDelayDays - 1);
        var oldestRead = newestRead.AddDays(-(MerchantRisk.LongestWindowDays - 1) - LateDays);
        var merchants = new MerchantRisk(options);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("SELECT day, merchant_id, transactions FROM merchant_days WHERE day BETWEEN $1 AND $2")
                {
                    Parameters = { new() { Value = oldestRead }, new() { Value = newestRead } },
                },
                new("""
                    SELECT (ts AT TIME ZONE 'UTC')::date, merchant_id, count(*) FROM labels
                    WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
                    GROUP BY 1, 2
                    """)
                {
                    Parameters =
                    {
                        new() { Value = oldestRead.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        new() { Value = newestRead.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            merchants.Add(reader.GetString(1), reader.GetFieldValue<DateOnly>(0), checked((int)reader.GetInt64(2)), frauds: 0);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            merchants.Add(reader.GetString(1), reader.GetFieldValue<DateOnly>(0), transactions: 0, checked((int)reader.GetInt64(2)));
        }

        return merchants;
    }

    /// <summary>How many days before the newest a late transaction may be and still read complete windows.</summary>
    public const int LateDays = 7;
}
