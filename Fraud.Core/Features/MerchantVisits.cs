namespace Fraud.Core.Features;

/// <summary>One transaction to count at its merchant: where it sits in the stream, and its merchant and UTC hour.</summary>
/// <param name="Partition">Its partition of the transactions topic.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="MerchantId">Its merchant.</param>
/// <param name="Hour">The start of its UTC hour.</param>
public readonly record struct MerchantVisit(int Partition, long Offset, string MerchantId, DateTime Hour)
{
    /// <summary>The visit of a transaction at <paramref name="ts"/>.</summary>
    public static MerchantVisit Of(int partition, long offset, string merchantId, DateTimeOffset ts) =>
        new(partition, offset, merchantId, new DateTime(ts.UtcTicks - (ts.UtcTicks % TimeSpan.TicksPerHour), DateTimeKind.Utc));
}

/// <summary>
/// Transactions to count at their merchants, and what counting them adds to the shared counts (<see cref="Tally"/>):
/// per merchant and hour, per merchant and day, per day and partition, and each partition's next offset. A buffer kept
/// and filled again commit after commit (the visits and the sums' dictionaries keep their room; each tally's sorted
/// delta is new), and the counts go to the database already summed (the database then writes one row per merchant and
/// hour, instead of grouping every transaction). Not thread-safe.
/// </summary>
public sealed class MerchantVisits
{
    private readonly List<MerchantVisit> _visits = [];
    private readonly Dictionary<(DateTime Hour, string MerchantId), long> _hours = [];
    private readonly Dictionary<(DateOnly Day, string MerchantId), long> _days = [];
    private readonly Dictionary<(DateOnly Day, int Partition), long> _totals = [];
    private readonly Dictionary<int, long> _nextOffsets = [];

    /// <summary>How many visits are held.</summary>
    public int Count => _visits.Count;

    /// <summary>The partitions the visits come from, in ascending order.</summary>
    public int[] Partitions() => [.. _visits.Select(visit => visit.Partition).Distinct().Order()];

    /// <summary>Adds visits, in any order.</summary>
    public void AddRange(IEnumerable<MerchantVisit> visits) => _visits.AddRange(visits);

    /// <summary>Forgets every visit, keeping the room.</summary>
    public void Clear() => _visits.Clear();

    /// <summary>
    /// Sums the visits not counted yet: those at or past their partition's next offset in <paramref name="counted"/> (a
    /// partition absent there has counted nothing). Each group comes sorted (by hour, day or partition, then merchant in
    /// ordinal order), so every writer locks the database's rows in the same order.
    /// </summary>
    /// <param name="counted">Per partition, the next offset not counted yet.</param>
    /// <returns>What to add.</returns>
    public MerchantCountDelta Tally(IReadOnlyDictionary<int, long> counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        _hours.Clear();
        _days.Clear();
        _totals.Clear();
        _nextOffsets.Clear();
        int tallied = 0;
        foreach (var visit in _visits)
        {
            if (visit.Offset < counted.GetValueOrDefault(visit.Partition))
            {
                continue;
            }

            tallied++;
            var day = DateOnly.FromDateTime(visit.Hour);
            Increment(_hours, (visit.Hour, visit.MerchantId));
            Increment(_days, (day, visit.MerchantId));
            Increment(_totals, (day, visit.Partition));
            if (visit.Offset + 1 > _nextOffsets.GetValueOrDefault(visit.Partition))
            {
                _nextOffsets[visit.Partition] = visit.Offset + 1;
            }
        }

        var delta = new MerchantCountDelta(tallied);
        foreach (var ((hour, merchantId), transactions) in _hours.OrderBy(entry => entry.Key.Hour).ThenBy(entry => entry.Key.MerchantId, StringComparer.Ordinal))
        {
            delta.HourStarts.Add(hour);
            delta.HourMerchants.Add(merchantId);
            delta.HourTransactions.Add(transactions);
        }

        foreach (var ((day, merchantId), transactions) in _days.OrderBy(entry => entry.Key.Day).ThenBy(entry => entry.Key.MerchantId, StringComparer.Ordinal))
        {
            delta.Days.Add(day);
            delta.DayMerchants.Add(merchantId);
            delta.DayTransactions.Add(transactions);
        }

        foreach (var ((day, partition), transactions) in _totals.OrderBy(entry => entry.Key.Day).ThenBy(entry => entry.Key.Partition))
        {
            delta.TotalDays.Add(day);
            delta.TotalPartitions.Add(partition);
            delta.TotalTransactions.Add(transactions);
        }

        foreach (var (partition, next) in _nextOffsets.OrderBy(entry => entry.Key))
        {
            delta.MovedPartitions.Add(partition);
            delta.MovedNextOffsets.Add(next);
        }

        return delta;
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>What counting a set of visits adds, column by column as the counting statement takes it (<see cref="MerchantVisits.Tally"/>).</summary>
/// <param name="Counted">How many visits it counts.</param>
public sealed record MerchantCountDelta(int Counted)
{
    /// <summary>Per merchant and UTC hour: the hour's start.</summary>
    public List<DateTime> HourStarts { get; } = [];

    /// <summary>Per merchant and UTC hour: the merchant.</summary>
    public List<string> HourMerchants { get; } = [];

    /// <summary>Per merchant and UTC hour: the transactions added.</summary>
    public List<long> HourTransactions { get; } = [];

    /// <summary>Per merchant and UTC day: the day.</summary>
    public List<DateOnly> Days { get; } = [];

    /// <summary>Per merchant and UTC day: the merchant.</summary>
    public List<string> DayMerchants { get; } = [];

    /// <summary>Per merchant and UTC day: the transactions added.</summary>
    public List<long> DayTransactions { get; } = [];

    /// <summary>Per UTC day and partition: the day.</summary>
    public List<DateOnly> TotalDays { get; } = [];

    /// <summary>Per UTC day and partition: the partition.</summary>
    public List<int> TotalPartitions { get; } = [];

    /// <summary>Per UTC day and partition: the transactions added.</summary>
    public List<long> TotalTransactions { get; } = [];

    /// <summary>Each partition that counted something.</summary>
    public List<int> MovedPartitions { get; } = [];

    /// <summary>Its next offset not counted once these are: past its last visit counted.</summary>
    public List<long> MovedNextOffsets { get; } = [];
}
