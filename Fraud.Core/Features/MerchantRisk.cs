using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

/// <summary>
/// Each merchant's (terminal's) exposure to fraud, as the Fraud Detection Handbook defines terminal risk (Le Borgne
/// et al., chapter 3, "terminal ID transformations"): for windows of 1, 7 and 30 days <em>shifted back by the label
/// delay</em>, the number of the merchant's transactions and the share of them known to be fraud. Counts are kept
/// per UTC day, and per hour for the last days: a transaction at hour h of day d sees the whole days
/// d − delay − w … d − delay − 1 and the hours of day d − delay before h, so every label it uses belongs to a
/// transaction at least the delay old, and the newest it may use are read as soon as they are (to the hour, as the
/// Handbook's rolling windows end exactly the delay before the transaction). A merchant with little history can be
/// pulled towards the average fraud share of all merchants over the same window
/// (<see cref="MerchantRiskOptions.PriorStrength"/>); a merchant never seen, or a transaction without
/// <c>merchant_id</c>, reads exactly that average.
/// <para>
/// Fed two ways that give the same values for the same counts: offline, <see cref="RecordTransaction"/> after each
/// decision and <see cref="RecordFraud"/> for each known fraud; online, the <c>Add</c> overloads with per-hour counts
/// (per-day ones for days no hour of which a window reads) gathered by every detector. Reading never changes the
/// values, so transactions in one hour can be read in any order. Not thread-safe.
/// </para>
/// <para>
/// A merchant's six values stay the same for an hour, unless a count lands on an hour its windows already see (a label
/// arriving later than the delay, counts for a past day from a store): each merchant keeps the values of the last hour
/// it was read in, and such a count makes every merchant compute them again. So a decision reads them without walking
/// 30 days of counts, but for the first transaction of a merchant in an hour.
/// </para>
/// </summary>
public sealed class MerchantRisk
{
    /// <summary>The longest window, in days.</summary>
    public const int LongestWindowDays = 30;

    /// <summary>
    /// How many days late a transaction may be and still read the hours of its windows' last day: the hour counts
    /// are kept for the label delay plus one day plus these.
    /// </summary>
    public const int LateDays = 7;

    // The merchant features, MerchantCount1dLog to MerchantRisk30d: a count and a risk for each of the three windows.
    private const int FeatureCount = FeatureSchema.MerchantRisk30d - FeatureSchema.MerchantCount1dLog + 1;

    private readonly Dictionary<string, Merchant> _merchants = new(StringComparer.Ordinal);
    private readonly MerchantRiskOptions _options;
    private readonly int _delayDays;
    private MerchantDays _everyMerchant;
    private readonly MerchantHours _everyMerchantHours;
    private long _lastSweepDay = long.MinValue;

    // The cached values (see the remarks): those of a merchant never seen (or of no merchant), an epoch that every
    // cache records and that a count changing cached values moves on, and the first and last hours read in this epoch.
    private CachedFeatures _unknownMerchant;
    private (long Hour, long Epoch, WindowCounts Counts) _everyMerchantWindows;
    private long _epoch = 1;
    private long _firstHourRead = long.MaxValue;
    private long _lastHourRead = long.MinValue;

    /// <summary>Creates a state that knows no merchant yet.</summary>
    /// <param name="options">Label delay, prior and bounds; the defaults when null.</param>
    public MerchantRisk(MerchantRiskOptions? options = null)
    {
        _options = options ?? new MerchantRiskOptions();
        _options.Validate();
        _delayDays = _options.LabelDelayDays;
        _everyMerchantHours = NewHours();
    }

    /// <summary>The options it was made with.</summary>
    public MerchantRiskOptions Options => _options;

    /// <summary>Merchants remembered.</summary>
    public int TrackedMerchants => _merchants.Count;

    /// <summary>Counts not kept: a new merchant while <see cref="MerchantRiskOptions.MaxMerchants"/> were remembered, or a day too old.</summary>
    public long DroppedCounts { get; private set; }

    /// <summary>
    /// Writes the merchant features of <paramref name="transaction"/> (<see cref="FeatureSchema.MerchantCount1dLog"/> to
    /// <see cref="FeatureSchema.MerchantRisk30d"/>) into its feature vector. Allocates nothing.
    /// </summary>
    /// <param name="transaction">The transaction being decided.</param>
    /// <param name="features">The feature vector; at least <see cref="FeatureSchema.Count"/> long.</param>
    public void WriteFeatures(Transaction transaction, Span<float> features)
    {
        if (features.Length < FeatureSchema.Count)
        {
            throw new ArgumentException($"Needs room for {FeatureSchema.Count} features.", nameof(features));
        }

        if (_everyMerchant.IsEmpty)
        {
            // Nothing counted yet (the online detector today): every count and risk is 0, without walking 30 days.
            features.Slice(FeatureSchema.MerchantCount1dLog, FeatureCount).Clear();
            return;
        }

        Merchant? merchant = null;
        if (transaction.MerchantId is { } merchantId)
        {
            _merchants.TryGetValue(merchantId, out merchant);
        }

        long hour = HourOf(transaction.Ts);
        _firstHourRead = Math.Min(_firstHourRead, hour);
        _lastHourRead = Math.Max(_lastHourRead, hour);
        ref var cached = ref merchant is null ? ref _unknownMerchant : ref merchant.Cached;
        if (cached.Hour != hour || cached.Epoch != _epoch)
        {
            Compute(merchant, hour, cached.Features);
            (cached.Hour, cached.Epoch) = (hour, _epoch);
        }

        ((ReadOnlySpan<float>)cached.Features).CopyTo(features.Slice(FeatureSchema.MerchantCount1dLog, FeatureCount));
    }

    /// <summary>
    /// The six values of <paramref name="merchant"/> (null: never seen, or no merchant) for a transaction in
    /// <paramref name="hour"/>, from its counts and every merchant's over the days and hours the windows reach.
    /// </summary>
    private void Compute(Merchant? merchant, long hour, Span<float> values)
    {
        long newestWholeDay = (hour / 24) - _delayDays - 1;
        long delayEnds = hour - (24L * _delayDays);
        var own = merchant?.Days.Windows(newestWholeDay) ?? default;
        if (merchant?.Hours is { } hours)
        {
            own.AddToEvery(hours.EarlierThatDay(delayEnds));
        }

        if (_everyMerchantWindows.Hour != hour || _everyMerchantWindows.Epoch != _epoch)
        {
            // Every merchant's counts, the prior's, are the same for every merchant read in the hour: summed once.
            var everyMerchant = _everyMerchant.Windows(newestWholeDay);
            everyMerchant.AddToEvery(_everyMerchantHours.EarlierThatDay(delayEnds));
            _everyMerchantWindows = (hour, _epoch, everyMerchant);
        }

        var every = _everyMerchantWindows.Counts;
        WriteWindow(0, own.Transactions1d, own.Frauds1d, every.Transactions1d, every.Frauds1d, values);
        WriteWindow(1, own.Transactions7d, own.Frauds7d, every.Transactions7d, every.Frauds7d, values);
        WriteWindow(2, own.Transactions30d, own.Frauds30d, every.Transactions30d, every.Frauds30d, values);
    }

    /// <summary>ln(1 + the merchant's transactions) and (frauds + k·p) / (transactions + k), p every merchant's share.</summary>
    private void WriteWindow(int window, long merchantTransactions, long merchantFrauds, long allTransactions, long allFrauds, Span<float> values)
    {
        double prior = allTransactions == 0 ? 0 : allFrauds / (double)allTransactions;
        double weight = merchantTransactions + _options.PriorStrength;
        values[window] = (float)Math.Log(1 + merchantTransactions);
        values[(FeatureSchema.MerchantRisk1d - FeatureSchema.MerchantCount1dLog) + window] =
            (float)(weight == 0 ? 0 : (merchantFrauds + (_options.PriorStrength * prior)) / weight);
    }

    /// <summary>
    /// Counts <paramref name="transaction"/> at its merchant in its UTC hour: the offline path, after the transaction is
    /// decided. A transaction without a merchant is not counted.
    /// </summary>
    /// <param name="transaction">The transaction just decided.</param>
    public void RecordTransaction(Transaction transaction)
    {
        if (transaction.MerchantId is { } merchantId)
        {
            AddCounts(merchantId, HourOf(transaction.Ts), hourly: true, 1, 0);
        }
    }

    /// <summary>
    /// Counts a known fraud at <paramref name="merchantId"/> in the UTC hour of <paramref name="ts"/>, the fraudulent
    /// transaction's time; the transaction itself is counted by <see cref="RecordTransaction"/>. Nothing without a merchant.
    /// </summary>
    /// <param name="merchantId">The fraudulent transaction's merchant, if any.</param>
    /// <param name="ts">The fraudulent transaction's time.</param>
    public void RecordFraud(string? merchantId, DateTimeOffset ts)
    {
        if (merchantId is not null)
        {
            AddCounts(merchantId, HourOf(ts), hourly: true, 0, 1);
        }
    }

    /// <summary>
    /// Adds one merchant's counts of one whole UTC day, e.g. from a store the detectors fill: the online path for
    /// days whose hours no window reads (older than the label delay plus <see cref="LateDays"/>).
    /// </summary>
    /// <param name="merchantId">The merchant.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="transactions">Its transactions that day.</param>
    /// <param name="frauds">How many of them are known to be fraud.</param>
    public void Add(string merchantId, DateOnly day, int transactions, int frauds)
    {
        ArgumentNullException.ThrowIfNull(merchantId);
        ArgumentOutOfRangeException.ThrowIfNegative(transactions);
        ArgumentOutOfRangeException.ThrowIfNegative(frauds);
        AddCounts(merchantId, day.DayNumber * 24L, hourly: false, transactions, frauds);
    }

    /// <summary>Adds one merchant's counts of one UTC hour, e.g. from a store the detectors fill: the online path.</summary>
    /// <param name="merchantId">The merchant.</param>
    /// <param name="hour">Any time in the UTC hour.</param>
    /// <param name="transactions">Its transactions in that hour.</param>
    /// <param name="frauds">How many of them are known to be fraud.</param>
    public void Add(string merchantId, DateTimeOffset hour, int transactions, int frauds)
    {
        ArgumentNullException.ThrowIfNull(merchantId);
        ArgumentOutOfRangeException.ThrowIfNegative(transactions);
        ArgumentOutOfRangeException.ThrowIfNegative(frauds);
        AddCounts(merchantId, HourOf(hour), hourly: true, transactions, frauds);
    }

    /// <summary>
    /// Adds counts of <paramref name="hour"/> (hours since 0001-01-01; its day's midnight for a whole day's counts),
    /// kept per hour too when <paramref name="hourly"/>.
    /// </summary>
    private void AddCounts(string merchantId, long hour, bool hourly, int transactions, int frauds)
    {
        long day = hour / 24;
        if (!_merchants.TryGetValue(merchantId, out var merchant))
        {
            if (_merchants.Count >= _options.MaxMerchants && !MadeRoom(day))
            {
                DroppedCounts++;
                return;
            }

            merchant = new Merchant();
            _merchants.Add(merchantId, merchant);
        }

        if (!merchant.Days.Add(day, transactions, frauds) | !_everyMerchant.Add(day, transactions, frauds))
        {
            DroppedCounts++;
        }

        if (hourly)
        {
            (merchant.Hours ??= NewHours()).Add(hour, transactions, frauds);
            _everyMerchantHours.Add(hour, transactions, frauds);
        }

        if (_lastHourRead != long.MinValue && OutdatesCachedValues(hour))
        {
            (_epoch, _firstHourRead, _lastHourRead) = (_epoch + 1, long.MaxValue, long.MinValue);
        }
    }

    /// <summary>
    /// Whether a count in <paramref name="hour"/> may change values cached in this epoch: those of an hour r (day d)
    /// change with a count in an hour its windows see, from day d − delay − 30 up to r − delay, or one so far ahead
    /// that what they see is let go (a day past d + 63 − 30 − delay, an hour past the hours kept). The
    /// usual count, in the hour being read, changes none.
    /// </summary>
    private bool OutdatesCachedValues(long hour)
    {
        long firstDayRead = _firstHourRead / 24;
        return (hour >= 24 * (firstDayRead - _delayDays - LongestWindowDays) && hour < _lastHourRead - (24L * _delayDays))
            || hour / 24 > firstDayRead + (MerchantDays.Capacity - 1 - LongestWindowDays - _delayDays)
            || hour >= (24 * (firstDayRead - _delayDays)) + _everyMerchantHours.Capacity;
    }

    private MerchantHours NewHours() => new(_delayDays + 1 + LateDays);

    /// <summary>Forgets the merchants whose counts no window can reach any more; at most once a day, since it walks them all.</summary>
    private bool MadeRoom(long day)
    {
        if (day <= _lastSweepDay)
        {
            return false;
        }

        _lastSweepDay = day;
        long oldestUseful = day - _delayDays - LongestWindowDays;
        foreach (var (merchantId, merchant) in _merchants)
        {
            if (merchant.Days.NewestDay < oldestUseful)
            {
                _merchants.Remove(merchantId);
            }
        }

        return _merchants.Count < _options.MaxMerchants;
    }

    private static long HourOf(DateTimeOffset timestamp) => timestamp.UtcTicks / TimeSpan.TicksPerHour;

    private sealed class Merchant
    {
        public MerchantDays Days;
        public MerchantHours? Hours;
        public CachedFeatures Cached;
    }

    /// <summary>A merchant's six values as computed for <see cref="Hour"/> while the epoch was <see cref="Epoch"/> (0: never).</summary>
    private struct CachedFeatures
    {
        public long Hour;
        public long Epoch;
        public SixValues Features;
    }

    [InlineArray(FeatureCount)]
    private struct SixValues
    {
        private float _element;
    }
}
