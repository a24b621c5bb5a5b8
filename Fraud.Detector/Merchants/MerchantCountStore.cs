using System.Data;
using Fraud.Core.Features;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Detector.Merchants;

/// <summary>
/// The merchants' shared counts by the hour and by the day (migrations 008, 010, 011 and 012), which make every replica
/// read the same merchant risk although each decides only its own users: the detectors count every transaction at its
/// merchant (<see cref="CountAsync"/>), the API stores the known frauds' merchant and time in <c>labels</c>, and each
/// detector reads both back into a <see cref="MerchantRisk"/> (<see cref="LoadAsync"/>).
/// </summary>
internal sealed class MerchantCountStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Counts the visits exactly once, however often their batch is replayed and by whichever replica: in one
    /// transaction, it locks the partitions' positions, sums only the visits at or past them (here, not in Postgres:
    /// it then writes one row per merchant and hour rather than grouping every transaction), adds the sums and moves the
    /// positions on.
    /// </summary>
    /// <param name="topic">The transactions topic, which the positions belong to.</param>
    /// <param name="visits">Transactions that have a merchant, in any order.</param>
    /// <returns>How many were counted (the rest had been counted before).</returns>
    public async Task<int> CountAsync(string topic, MerchantVisits visits, CancellationToken cancellationToken)
    {
        if (visits.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var counted = await LockPositionsAsync(connection, transaction, topic, visits.Partitions(), cancellationToken);
        var delta = visits.Tally(counted);
        if (delta.Counted > 0)
        {
            await using var add = AddCommands(connection, transaction, topic, delta);
            await add.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return delta.Counted;
    }

    /// <summary>
    /// The partitions' next offsets not counted yet, locked until the transaction ends, in partition order: two
    /// replicas that briefly share a partition wait, never deadlock, and the one that waited reads the position the
    /// other left.
    /// </summary>
    private static async Task<Dictionary<int, long>> LockPositionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string topic, int[] partitions, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO merchant_day_positions (topic, partition, next_offset)
                    SELECT $1, partition, 0 FROM unnest($2::integer[]) AS p (partition)
                    ON CONFLICT (topic, partition) DO NOTHING
                    """)
                {
                    Parameters = { new() { Value = topic }, new() { Value = partitions } },
                },
                new NpgsqlBatchCommand("""
                    SELECT partition, next_offset FROM merchant_day_positions
                    WHERE topic = $1 AND partition = ANY($2) ORDER BY partition FOR UPDATE
                    """)
                {
                    Parameters = { new() { Value = topic }, new() { Value = partitions } },
                },
            },
        };
        var positions = new Dictionary<int, long>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            positions[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return positions;
    }

    /// <summary>The sums added (rows in the order the delta sorts them, so every writer locks them in one order) and the positions moved.</summary>
    private static NpgsqlBatch AddCommands(NpgsqlConnection connection, NpgsqlTransaction transaction, string topic, MerchantCountDelta delta) => new(connection, transaction)
    {
        BatchCommands =
        {
            new NpgsqlBatchCommand("""
                INSERT INTO merchant_hours (hour, merchant_id, transactions)
                SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[])
                ON CONFLICT (hour, merchant_id) DO UPDATE SET transactions = merchant_hours.transactions + excluded.transactions
                """)
            {
                Parameters =
                {
                    new() { Value = delta.HourStarts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                    new() { Value = delta.HourMerchants, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = delta.HourTransactions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                },
            },
            new NpgsqlBatchCommand("""
                INSERT INTO merchant_days (day, merchant_id, transactions)
                SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])
                ON CONFLICT (day, merchant_id) DO UPDATE SET transactions = merchant_days.transactions + excluded.transactions
                """)
            {
                Parameters =
                {
                    new() { Value = delta.Days, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date },
                    new() { Value = delta.DayMerchants, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = delta.DayTransactions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                },
            },
            new NpgsqlBatchCommand("""
                INSERT INTO merchant_day_totals (day, partition, transactions)
                SELECT * FROM unnest($1::date[], $2::integer[], $3::bigint[])
                ON CONFLICT (day, partition) DO UPDATE SET transactions = merchant_day_totals.transactions + excluded.transactions
                """)
            {
                Parameters =
                {
                    new() { Value = delta.TotalDays, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date },
                    new() { Value = delta.TotalPartitions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = delta.TotalTransactions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                },
            },
            new NpgsqlBatchCommand("""
                UPDATE merchant_day_positions d SET next_offset = n.next_offset
                FROM unnest($2::integer[], $3::bigint[]) AS n (partition, next_offset)
                WHERE d.topic = $1 AND d.partition = n.partition
                """)
            {
                Parameters =
                {
                    new() { Value = topic },
                    new() { Value = delta.MovedPartitions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = delta.MovedNextOffsets, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                },
            },
        },
    };

    /// <summary>
    /// The merchant risk transactions on <paramref name="newestDay"/> read, and those up to
    /// <see cref="MerchantRisk.LateDays"/> days earlier: every merchant's transactions and known frauds on the days
    /// their windows can reach, by the hour for the days whose hours they read (the delay's last day and the
    /// <see cref="MerchantRisk.LateDays"/> before) and by the day before (the day totals that <see cref="CountAsync"/>
    /// keeps beside the hours, so a build sums no hours). A fraud counts when its label says where and when it happened.
    /// Read in one snapshot, with the totals per day of what it read.
    /// </summary>
    /// <param name="options">The label delay and prior the risk is read with.</param>
    /// <param name="newestDay">The newest UTC day of the transactions to decide.</param>
    public async Task<MerchantRiskBuild> LoadAsync(MerchantRiskOptions options, DateOnly newestDay, CancellationToken cancellationToken)
    {
        var window = MerchantRiskWindow.For(options, newestDay);
        var (oldest, hourlyFrom, end) = (Midnight(window.OldestDay), Midnight(window.HourlyFromDay), Midnight(window.NewestDay.AddDays(1)));
        var merchants = new MerchantRisk(options);
        var totals = new Dictionary<DateOnly, DayTotal>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, snapshot)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT day, merchant_id, transactions FROM merchant_days WHERE day >= $1 AND day < $2")
                {
                    Parameters = { new() { Value = window.OldestDay }, new() { Value = window.HourlyFromDay } },
                },
                Period(HoursSql, hourlyFrom, end),
                Period("""
                    SELECT (ts AT TIME ZONE 'UTC')::date, merchant_id, count(*) FROM labels
                    WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
                    GROUP BY 1, 2
                    """, oldest, hourlyFrom),
                Period(FraudHoursSql, hourlyFrom, end),
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
                DateOnly day;
                if (byHour)
                {
                    var hour = reader.GetFieldValue<DateTimeOffset>(0);
                    merchants.Add(merchantId, hour, transactionCount, fraudCount);
                    day = DateOnly.FromDateTime(hour.UtcDateTime);
                }
                else
                {
                    day = reader.GetFieldValue<DateOnly>(0);
                    merchants.Add(merchantId, day, transactionCount, fraudCount);
                }

                totals[day] = totals.GetValueOrDefault(day) + new DayTotal(transactionCount, fraudCount);
            }
        }

        return new MerchantRiskBuild(newestDay, merchants, totals);
    }

    /// <summary>
    /// What a table built for the day before <paramref name="basis"/>'s next day lacks for that day: the hours of the
    /// one day its windows newly reach (transactions and known frauds). Null when a day the table already holds has been
    /// counted further since, or has gained or lost a known fraud (a partition that was behind, a late label): then only
    /// a whole build gives the values offline <c>score</c> computes. Told by the totals per day, a few rows, in the
    /// same snapshot as the hours.
    /// </summary>
    /// <param name="basis">The table in hand, as built or last extended; only its day and totals are read.</param>
    public async Task<MerchantRiskNextDay?> LoadNextDayAsync(MerchantRiskBuild basis, CancellationToken cancellationToken)
    {
        var day = basis.Day.AddDays(1);
        var window = MerchantRiskWindow.For(basis.Table.Options, day);
        var (oldest, newDayStart, end) = (Midnight(window.OldestDay), Midnight(window.NewestDay), Midnight(window.NewestDay.AddDays(1)));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var totals = new Dictionary<DateOnly, DayTotal>();
        await using (var batch = new NpgsqlBatch(connection, snapshot)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT day, sum(transactions)::bigint, 0::bigint FROM merchant_day_totals WHERE day >= $1 AND day <= $2 GROUP BY day")
                {
                    Parameters = { new() { Value = window.OldestDay }, new() { Value = window.NewestDay } },
                },
                Period("""
                    SELECT (ts AT TIME ZONE 'UTC')::date, 0::bigint, count(*) FROM labels
                    WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
                    GROUP BY 1
                    """, oldest, end),
            },
        })
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var total = reader.GetFieldValue<DateOnly>(0);
                    totals[total] = totals.GetValueOrDefault(total) + new DayTotal(reader.GetInt64(1), reader.GetInt64(2));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        for (var held = window.OldestDay; held < window.NewestDay; held = held.AddDays(1))
        {
            if (totals.GetValueOrDefault(held) != basis.Totals.GetValueOrDefault(held))
            {
                return null;
            }
        }

        var hours = new List<MerchantHourCount>();
        await using (var batch = new NpgsqlBatch(connection, snapshot) { BatchCommands = { Period(HoursSql, newDayStart, end), Period(FraudHoursSql, newDayStart, end) } })
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            bool frauds = false;   // the first result counts transactions, the second known frauds
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    int count = checked((int)reader.GetInt64(2));
                    hours.Add(new MerchantHourCount(reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(0), frauds ? 0 : count, frauds ? count : 0));
                }

                frauds = true;
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return new MerchantRiskNextDay(day, hours, totals);
    }

    private const string HoursSql = "SELECT hour, merchant_id, transactions FROM merchant_hours WHERE hour >= $1 AND hour < $2";

    private const string FraudHoursSql = """
        SELECT date_trunc('hour', ts, 'UTC'), merchant_id, count(*) FROM labels
        WHERE is_fraud AND merchant_id IS NOT NULL AND ts >= $1 AND ts < $2
        GROUP BY 1, 2
        """;

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
