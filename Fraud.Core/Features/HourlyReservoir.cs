using System.Collections;
using System.Runtime.InteropServices;

namespace Fraud.Core.Features;

/// <summary>
/// A bounded, uniform sample of feature vectors per event-time hour: for each UTC hour of <see cref="Transaction.Ts"/>
/// a reservoir of at most <see cref="Capacity"/> vectors, kept by Vitter's Algorithm R (the n-th vector offered to
/// an hour takes a slot with probability K / n, replacing a uniformly chosen one), so every vector of the hour is
/// in its reservoir with the same probability. Slots that changed since the last <see cref="DrainChanged()"/> are
/// reported once, so a store only rewrites those. At most <see cref="MaxOpenHours"/> hours are kept in memory: a
/// newer hour closes the oldest (its pending changes are still drained), and a vector older than every open hour
/// once that many are open is not sampled. Memory is <c>Capacity × MaxOpenHours × FeatureSchema.Count</c> floats
/// at most. Not thread-safe; the random source is seeded, so the same offers give the same sample.
/// </summary>
public sealed class HourlyReservoir
{
    private readonly Random _random;
    // A few hours, in order: an array-backed list reads its oldest and newest without allocating an enumerator.
    private readonly SortedList<DateTimeOffset, Hour> _open = [];
    private readonly ReservoirSamples _closedChanges = new();

    /// <summary>Creates an empty sample.</summary>
    /// <param name="capacity">K, the most vectors kept per hour; at least 1.</param>
    /// <param name="maxOpenHours">How many hours are kept in memory; at least 1.</param>
    /// <param name="seed">Seeds the random choices.</param>
    public HourlyReservoir(int capacity, int maxOpenHours, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOpenHours, 1);
        Capacity = capacity;
        MaxOpenHours = maxOpenHours;
        _random = new Random(seed);
    }

    /// <summary>K, the most vectors kept per hour.</summary>
    public int Capacity { get; }

    /// <summary>How many hours are kept in memory.</summary>
    public int MaxOpenHours { get; }

    /// <summary>The newest hour offered a vector; null before the first.</summary>
    public DateTimeOffset? NewestHour => _open.Count == 0 ? null : _open.Keys[^1];

    /// <summary>How many slots changed since the last drain.</summary>
    public int ChangedCount => _closedChanges.Count + _open.Values.Sum(hour => hour.Changed.Count);

    /// <summary>The start of the UTC hour <paramref name="ts"/> falls in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset ts)
    {
        long ticks = ts.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    /// <summary>
    /// Offers the features of <paramref name="transaction"/> to its hour's reservoir. The vector is copied only when
    /// the reservoir takes it, so a rejected offer costs a random draw and nothing else.
    /// </summary>
    /// <param name="transaction">The transaction the features describe.</param>
    /// <param name="features">Its full feature vector (<see cref="FeatureSchema.Count"/> values).</param>
    /// <returns>True when the vector was kept.</returns>
    public bool Offer(Transaction transaction, ReadOnlySpan<float> features)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (features.Length != FeatureSchema.Count)
        {
            throw new ArgumentException($"A feature vector has {FeatureSchema.Count} values, not {features.Length}.", nameof(features));
        }

        var hour = OpenHour(HourOf(transaction.Ts));
        if (hour is null)
        {
            return false;
        }

        // Algorithm R: the first K fill the slots; the n-th after them replaces slot j for a uniform j in [0, n).
        long n = ++hour.Seen;
        int slot;
        if (n <= Capacity)
        {
            slot = (int)(n - 1);
        }
        else
        {
            long j = _random.NextInt64(n);
            if (j >= Capacity)
            {
                return false;
            }

            slot = (int)j;
        }

        features.CopyTo(hour.Features.AsSpan(slot * FeatureSchema.Count, FeatureSchema.Count));
        hour.TxIds[slot] = transaction.TxId;
        hour.Ts[slot] = transaction.Ts;
        if (!hour.IsChanged[slot])
        {
            hour.IsChanged[slot] = true;
            hour.Changed.Add(slot);
        }

        return true;
    }

    /// <summary>
    /// Every slot that changed since the last drain, each once with its current content (closed hours first, then
    /// by hour and slot order of change), and forgets that they changed.
    /// </summary>
    /// <returns>The changed samples; empty when nothing changed.</returns>
    public ReservoirSamples DrainChanged()
    {
        var changes = new ReservoirSamples();
        DrainChanged(changes);
        return changes;
    }

    /// <summary>As <see cref="DrainChanged()"/>, into <paramref name="into"/> (cleared first), so a caller that drains often reuses one buffer.</summary>
    /// <param name="into">Where the changed samples go.</param>
    public void DrainChanged(ReservoirSamples into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        into.AddRange(_closedChanges);
        _closedChanges.Clear();
        foreach (var (start, hour) in _open)
        {
            foreach (int slot in hour.Changed)
            {
                hour.AddSample(start, slot, into);
                hour.IsChanged[slot] = false;
            }

            hour.Changed.Clear();
        }
    }

    /// <summary>
    /// Marks drained samples as changed again, e.g. after a failed write, so the next drain reports them (with the
    /// slot's content then). Samples of hours no longer open are kept as they are, up to
    /// <c>Capacity × MaxOpenHours</c> of them; beyond that the oldest are dropped.
    /// </summary>
    /// <param name="samples">Samples from <see cref="DrainChanged()"/>.</param>
    public void Requeue(ReservoirSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        for (int i = 0; i < samples.Count; i++)
        {
            var start = new DateTimeOffset(samples.Hours[i], TimeSpan.Zero);
            int slot = samples.Slots[i];
            if (_open.TryGetValue(start, out var hour))
            {
                if (!hour.IsChanged[slot])
                {
                    hour.IsChanged[slot] = true;
                    hour.Changed.Add(slot);
                }
            }
            else
            {
                _closedChanges.Add(samples.Hours[i], slot, samples.TxIds[i], samples.Ts[i], samples.FeaturesOf(i));
            }
        }

        int excess = _closedChanges.Count - (Capacity * MaxOpenHours);
        if (excess > 0)
        {
            _closedChanges.RemoveFirst(excess);
        }
    }

    private Hour? OpenHour(DateTimeOffset start)
    {
        if (_open.TryGetValue(start, out var hour))
        {
            return hour;
        }

        if (_open.Count >= MaxOpenHours)
        {
            var (oldestStart, oldest) = (_open.Keys[0], _open.Values[0]);
            if (start < oldestStart)
            {
                return null; // older than every open hour: its reservoir was closed (or never kept)
            }

            foreach (int slot in oldest.Changed)
            {
                oldest.AddSample(oldestStart, slot, _closedChanges);
            }

            _open.RemoveAt(0);
            // The closed hour's arrays serve the new one: they hold K × FeatureSchema.Count floats (on the
            // large-object heap at the detector's K), and compressed event time (a replay, a load test) opens hours
            // many times a second.
            hour = oldest.Emptied();
        }

        hour ??= new Hour(Capacity);
        _open.Add(start, hour);
        return hour;
    }

    /// <summary>One hour's reservoir: the vectors in one flat array, slot by slot.</summary>
    private sealed class Hour(int capacity)
    {
        public float[] Features { get; } = new float[capacity * FeatureSchema.Count];

        public string[] TxIds { get; } = new string[capacity];

        public DateTimeOffset[] Ts { get; } = new DateTimeOffset[capacity];

        public bool[] IsChanged { get; } = new bool[capacity];

        public List<int> Changed { get; } = [];

        /// <summary>How many vectors were offered to this hour.</summary>
        public long Seen { get; set; }

        /// <summary>This reservoir as a new hour's: nothing offered, nothing changed (its pending changes were taken).</summary>
        public Hour Emptied()
        {
            Seen = 0;
            Array.Clear(TxIds);
            Array.Clear(IsChanged);
            Changed.Clear();
            return this;
        }

        public void AddSample(DateTimeOffset start, int slot, ReservoirSamples into) =>
            into.Add(start.UtcDateTime, slot, TxIds[slot], Ts[slot].UtcDateTime, Features.AsSpan(slot * FeatureSchema.Count, FeatureSchema.Count));
    }
}

/// <summary>
/// Slots of an <see cref="HourlyReservoir"/>, column by column as a store writes them (the vectors one after another in
/// one list): a buffer kept and filled again, so that compressed event time, which closes hours many times a second,
/// costs no object per sample. Read as a list of <see cref="ReservoirSample"/> (each a copy).
/// </summary>
public sealed class ReservoirSamples : IReadOnlyList<ReservoirSample>
{
    /// <summary>The start of each sample's event-time hour (UTC).</summary>
    public List<DateTime> Hours { get; } = [];

    /// <summary>Each sample's place in its hour's reservoir.</summary>
    public List<int> Slots { get; } = [];

    /// <summary>Each sample's transaction.</summary>
    public List<string> TxIds { get; } = [];

    /// <summary>Each sample's event time (UTC).</summary>
    public List<DateTime> Ts { get; } = [];

    /// <summary>The feature vectors, <see cref="FeatureSchema.Count"/> values each, in sample order.</summary>
    public List<float> Features { get; } = [];

    /// <inheritdoc />
    public int Count => Slots.Count;

    /// <inheritdoc />
    public ReservoirSample this[int index] => new(
        new DateTimeOffset(Hours[index], TimeSpan.Zero), Slots[index], TxIds[index], new DateTimeOffset(Ts[index], TimeSpan.Zero), FeaturesOf(index).ToArray());

    /// <summary>The feature vector of sample <paramref name="index"/>, in place.</summary>
    /// <param name="index">The sample.</param>
    /// <returns>Its <see cref="FeatureSchema.Count"/> values.</returns>
    public ReadOnlySpan<float> FeaturesOf(int index) => CollectionsMarshal.AsSpan(Features).Slice(index * FeatureSchema.Count, FeatureSchema.Count);

    /// <summary>Forgets every sample, keeping the room.</summary>
    public void Clear()
    {
        Hours.Clear();
        Slots.Clear();
        TxIds.Clear();
        Ts.Clear();
        Features.Clear();
    }

    /// <inheritdoc />
    public IEnumerator<ReservoirSample> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(DateTime hour, int slot, string txId, DateTime ts, ReadOnlySpan<float> features)
    {
        Hours.Add(hour);
        Slots.Add(slot);
        TxIds.Add(txId);
        Ts.Add(ts);
        Features.AddRange(features);
    }

    internal void AddRange(ReservoirSamples other)
    {
        Hours.AddRange(other.Hours);
        Slots.AddRange(other.Slots);
        TxIds.AddRange(other.TxIds);
        Ts.AddRange(other.Ts);
        Features.AddRange(other.Features);
    }

    internal void RemoveFirst(int count)
    {
        Hours.RemoveRange(0, count);
        Slots.RemoveRange(0, count);
        TxIds.RemoveRange(0, count);
        Ts.RemoveRange(0, count);
        Features.RemoveRange(0, count * FeatureSchema.Count);
    }
}

/// <summary>One slot of an <see cref="HourlyReservoir"/>.</summary>
/// <param name="Hour">The start of the event-time hour (UTC).</param>
/// <param name="Slot">Its place in that hour's reservoir, in [0, K).</param>
/// <param name="TxId">The sampled transaction.</param>
/// <param name="Ts">Its event time.</param>
/// <param name="Features">Its full feature vector, in <see cref="FeatureSchema.Names"/> order (a copy).</param>
public sealed record ReservoirSample(DateTimeOffset Hour, int Slot, string TxId, DateTimeOffset Ts, float[] Features);
