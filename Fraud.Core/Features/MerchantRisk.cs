using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

/// <summary>
/// Each merchant's (terminal's) exposure to fraud, as the Fraud Detection Handbook defines terminal risk (Le Borgne
/// et al., chapter 3, "terminal ID transformations"): for windows of 1, 7 and 30 days <em>shifted back by the label
/// delay</em>, the number of the merchant's transactions and the share of them known to be fraud. Counts are kept
/// per UTC day: a transaction on day d sees the whole days d − delay − w … d − delay − 1, so every label it uses
/// belongs to a transaction at least the delay old. A merchant with little history reads close to the average fraud
/// share of all merchants over the same window (<see cref="MerchantRiskOptions.PriorStrength"/>); a merchant never
/// seen, or a transaction without <c>merchant_id</c>, reads exactly that prior.
/// <para>
/// Fed two ways that give the same values for the same counts: offline, <see cref="RecordTransaction"/> after each
/// decision and <see cref="RecordFraud"/> for each known fraud; online, <see cref="Add"/> with per-day counts gathered
/// by every detector. Reading never changes the values, so transactions on one day can be read in any order. Not
/// thread-safe.
/// </para>
/// <para>
/// A merchant's six values stay the same all day long, unless a count lands on a day its windows already see (a label
/// arriving later than the delay, counts for a past day from a store): each merchant keeps the values of the last day
/// it was read on, and such a count makes every merchant compute them again. So a decision reads them without walking
/// 30 days of counts, but for the first transaction of a merchant on a day.
/// </para>
/// </summary>
public sealed class MerchantRisk
{
    /// <summary>The longest window, in days.</summary>
    public const int LongestWindowDays = 30;

    // The merchant features, MerchantCount1dLog to MerchantRisk30d: a count and a risk for each of the three windows.
    private const int FeatureCount = FeatureSchema.MerchantRisk30d - FeatureSchema.MerchantCount1dLog + 1;

    private readonly Dictionary<string, Merchant> _merchants = new(StringComparer.Ordinal);
    private readonly MerchantRiskOptions _options;
    private readonly int _delayDays;
    private MerchantDays _everyMerchant;
    private long _lastSweepDay = long.MinValue;

    // The cached values (see the remarks): those of a merchant never seen (or of no merchant), an epoch that every
    // cache records and that a count changing cached values moves on, and the first and last days read in this epoch.
    private CachedFeatures _unknownMerchant;
    private (long Day, long Epoch, WindowCounts Counts) _everyMerchantWindows;
    private long _epoch = 1;
    private long _firstDayRead = long.MaxValue;
    private long _lastDayRead = long.MinValue;

    /// <summary>Creates a state that knows no merchant yet.</summary>
    /// <param name="options">Label delay, prior and bounds; the defaults when null.</param>
    public MerchantRisk(MerchantRiskOptions? options = null)
    {
        _options = options ?? new MerchantRiskOptions();
        _options.Validate();
        _delayDays = _options.LabelDelayDays;
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

        long day = DayOf(transaction.Ts);
        _firstDayRead = Math.Min(_firstDayRead, day);
        _lastDayRead = Math.Max(_lastDayRead, day);
        ref var cached = ref merchant is null ? ref _unknownMerchant : ref merchant.Cached;
        if (cached.Day != day || cached.Epoch != _epoch)
        {
            Compute(merchant, day, cached.Features);
            (cached.Day, cached.Epoch) = (day, _epoch);
        }

        ((ReadOnlySpan<float>)cached.Features).CopyTo(features.Slice(FeatureSchema.MerchantCount1dLog, FeatureCount));
    }

    /// <summary>
    /// The six values of <paramref name="merchant"/> (null: never seen, or no merchant) for a transaction on
    /// <paramref name="day"/>, from its counts and every merchant's over the 30 days the windows reach.
    /// </summary>
    private void Compute(Merchant? merchant, long day, Span<float> values)
    {
        long newestVisible = day - _delayDays - 1;
        var own = merchant?.Days.Windows(newestVisible) ?? default;
        if (_everyMerchantWindows.Day != day || _everyMerchantWindows.Epoch != _epoch)
        {
            // Every merchant's counts, the prior's, are the same for every merchant read on the day: summed once.
            _everyMerchantWindows = (day, _epoch, _everyMerchant.Windows(newestVisible));
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
    /// Counts <paramref name="transaction"/> at its merchant on its UTC day: the offline path, after the transaction is
    /// decided. A transaction without a merchant is not counted.
    /// </summary>
    /// <param name="transaction">The transaction just decided.</param>
    public void RecordTransaction(Transaction transaction)
    {
        if (transaction.MerchantId is { } merchantId)
        {
            AddDay(merchantId, DayOf(transaction.Ts), 1, 0);
        }
    }

    /// <summary>
    /// Counts a known fraud at <paramref name="merchantId"/> on the UTC day of <paramref name="ts"/>, the fraudulent
    /// transaction's time; the transaction itself is counted by <see cref="RecordTransaction"/>. Nothing without a merchant.
    /// </summary>
    /// <param name="merchantId">The fraudulent transaction's merchant, if any.</param>
    /// <param name="ts">The fraudulent transaction's time.</param>
    public void RecordFraud(string? merchantId, DateTimeOffset ts)
    {
        if (merchantId is not null)
        {
            AddDay(merchantId, DayOf(ts), 0, 1);
        }
    }

    /// <summary>Adds one merchant's counts of one UTC day, e.g. from a store the detectors fill: the online path.</summary>
    /// <param name="merchantId">The merchant.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="transactions">Its transactions that day.</param>
    /// <param name="frauds">How many of them are known to be fraud.</param>
    public void Add(string merchantId, DateOnly day, int transactions, int frauds)
    {
        ArgumentNullException.ThrowIfNull(merchantId);
        ArgumentOutOfRangeException.ThrowIfNegative(transactions);
        ArgumentOutOfRangeException.ThrowIfNegative(frauds);
        AddDay(merchantId, day.DayNumber, transactions, frauds);
    }

    private void AddDay(string merchantId, long day, int transactions, int frauds)
    {
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

        if (_lastDayRead != long.MinValue && OutdatesCachedValues(day))
        {
            (_epoch, _firstDayRead, _lastDayRead) = (_epoch + 1, long.MaxValue, long.MinValue);
        }
    }

    /// <summary>
    /// Whether a count on <paramref name="day"/> may change values cached in this epoch: those of a day d change with a
    /// count on a day its windows see, d − delay − 30 … d − delay − 1, or one so far ahead that a ring lets go of such a
    /// day (past d + 63 − 30 − delay). The usual count, on the day being read, changes none.
    /// </summary>
    private bool OutdatesCachedValues(long day) =>
        (day >= _firstDayRead - _delayDays - LongestWindowDays && day <= _lastDayRead - _delayDays - 1)
        || day > _firstDayRead + (MerchantDays.Capacity - 1 - LongestWindowDays - _delayDays);

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

    private static long DayOf(DateTimeOffset timestamp) => timestamp.UtcTicks / TimeSpan.TicksPerDay;

    private sealed class Merchant
    {
        public MerchantDays Days;
        public CachedFeatures Cached;
    }

    /// <summary>A merchant's six values as computed for <see cref="Day"/> while the epoch was <see cref="Epoch"/> (0: never).</summary>
    private struct CachedFeatures
    {
        public long Day;
        public long Epoch;
        public SixValues Features;
    }

    [InlineArray(FeatureCount)]
    private struct SixValues
    {
        private float _element;
    }
}
