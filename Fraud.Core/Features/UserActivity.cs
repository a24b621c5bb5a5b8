using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

/// <summary>
/// Everything remembered about one user's past transactions, in fixed-size fields so that computing features and
/// folding a transaction in allocate nothing: a ring of the last <see cref="RecentCapacity"/> (time, amount) pairs
/// for the sliding windows and the rules, a count and an amount sum per UTC day for the last
/// <see cref="DayCapacity"/> days, the decayed amount statistics, the last located transaction, and the most
/// recently seen countries, devices and merchants. <c>docs/features.md</c> itemises its size. Its snapshot
/// (<c>UserActivity.Snapshot.cs</c>) writes every field: a field added here must be added there too.
/// </summary>
internal partial struct UserActivity
{
    /// <summary>Earlier transactions kept for the sliding windows and the rules; window counts saturate here.</summary>
    public const int RecentCapacity = 32;

    private const double MaxSecondsSincePrevious = 30 * 24 * 3600;
    private const double MinTravelHours = 1.0 / 60;
    private const double StdFloorShareOfMean = 0.1;

    private RecentTicks _recentTicks;
    private RecentAmounts _recentAmounts;
    private int _newestRecent;
    private int _recentCount;

    // Per UTC day (slot = day number modulo DayCapacity) the transactions folded in and their summed amount. The day
    // of the newest bucket is the day of LastTicks, so it needs no field of its own. Sums are doubles: a bucket grows
    // by one amount at a time, and a float's 24-bit mantissa would round each addition to the sum's magnitude (past
    // 262,144 a float's step is 0.031, so a cent added to the sum would be lost). UserActivity.DayWindows.cs reads them.
    private DayCounts _dayCounts;
    private DaySums _daySums;

    // What the day windows take from the days before the newest one, kept so that a transaction on the newest day
    // reads its windows without walking the buckets: derived from them, so not in the snapshot (rebuilt on import).
    [NotInSnapshot]
    private EarlierDays _earlierDays;

    // Exponentially decayed (West's weighted) mean and sum of squared deviations of the amounts.
    private double _amountWeight;
    private double _amountMean;
    private double _amountSquaredDeviations;

    private bool _hasLocation;
    private double _lastLat;
    private double _lastLon;
    private long _lastLocationTicks;

    private Remembered8 _countries;
    private int _countryCount;
    private Remembered8 _devices;
    private int _deviceCount;
    private Remembered16 _merchants;
    private int _merchantCount;

    /// <summary>Earlier transactions folded in, saturating at <see cref="int.MaxValue"/>.</summary>
    public int HistoryCount { get; private set; }

    /// <summary>Event time (UTC ticks) of the latest transaction folded in, or when the user was first seen.</summary>
    public long LastTicks { get; private set; }

    /// <summary>The decayed mean amount μ of <c>amount_log_ratio</c>; 0 without history.</summary>
    public readonly double AmountMean => _amountMean;

    public static UserActivity FirstSeenAt(long ticks) => new() { LastTicks = ticks };

    /// <summary>
    /// The time a transaction counts at: its own, or the latest already folded in when it is older, so that a late
    /// transaction never makes windows or gaps negative.
    /// </summary>
    public readonly long EffectiveTicks(Transaction transaction) => Math.Max(transaction.Ts.UtcTicks, LastTicks);

    /// <summary>Earlier transactions less than <paramref name="window"/> before <paramref name="nowTicks"/> whose amount is at most <paramref name="maxAmount"/>.</summary>
    public readonly int CountWithin(long nowTicks, long window, double maxAmount)
    {
        ReadOnlySpan<long> ticks = _recentTicks;
        ReadOnlySpan<float> amounts = _recentAmounts;
        float limit = (float)maxAmount; // compared as stored, so that 0.99 counts as at most 0.99
        int count = 0;
        for (int age = 0; age < _recentCount; age++)
        {
            int index = RecentIndex(age);
            if (nowTicks - ticks[index] >= window)
            {
                break; // the ring is in time order: everything older is outside too
            }

            if (amounts[index] <= limit)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Writes the features of <paramref name="transaction"/> against this history (which must not include it yet).</summary>
    public readonly void WriteFeatures(Transaction transaction, Span<float> features)
    {
        long now = EffectiveTicks(transaction);
        double amount = (double)transaction.Amount;
        bool hasHistory = HistoryCount > 0;

        features[FeatureSchema.AmountLog] = (float)Math.Log(1 + amount);
        WriteAmountVersusHistory(amount, features);
        double secondsSincePrevious = hasHistory ? (now - LastTicks) / (double)TimeSpan.TicksPerSecond : MaxSecondsSincePrevious;
        features[FeatureSchema.SecondsSincePreviousLog] = (float)Math.Log(1 + Math.Min(secondsSincePrevious, MaxSecondsSincePrevious));
        WriteWindows(now, amount, features);
        WriteDayWindows(now, amount, features);
        WriteTravel(transaction, now, features);

        features[FeatureSchema.NewCountry] = Flag(hasHistory && !Contains(_countries, _countryCount, CountryKey(transaction.Location)));
        features[FeatureSchema.NewDevice] = Flag(hasHistory && transaction.DeviceId is { } device && !Contains(_devices, _deviceCount, StableHash.Of(device)));
        features[FeatureSchema.NewMerchant] = Flag(hasHistory && transaction.MerchantId is { } merchant && !Contains(_merchants, _merchantCount, StableHash.Of(merchant)));

        var time = transaction.Ts.UtcDateTime;
        features[FeatureSchema.HourOfDay] = (float)time.TimeOfDay.TotalHours;
        features[FeatureSchema.IsWeekend] = Flag(time.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        features[FeatureSchema.IsEcom] = Flag(transaction.Channel == Channel.Ecom);
        features[FeatureSchema.IsAtm] = Flag(transaction.Channel == Channel.Atm);
        features[FeatureSchema.MccRiskGroup] = MerchantCategoryRisk.GroupOf(transaction.Mcc);
    }

    /// <summary>Folds <paramref name="transaction"/> into the history.</summary>
    /// <param name="transaction">The transaction, after its features were written.</param>
    /// <param name="decayPerTick">ln 2 over the amount half-life in ticks.</param>
    public void Append(Transaction transaction, double decayPerTick)
    {
        long now = EffectiveTicks(transaction);
        double amount = (double)transaction.Amount;

        // West's incremental weighted variance, with every past weight first decayed by the time elapsed.
        double decay = HistoryCount > 0 ? Math.Exp(-decayPerTick * (now - LastTicks)) : 0;
        _amountWeight = (_amountWeight * decay) + 1;
        _amountSquaredDeviations *= decay;
        double delta = amount - _amountMean;
        _amountMean += delta / _amountWeight;
        _amountSquaredDeviations += delta * (amount - _amountMean);

        _newestRecent = (_newestRecent + 1) % RecentCapacity;
        _recentTicks[_newestRecent] = now;
        _recentAmounts[_newestRecent] = (float)amount;
        _recentCount = Math.Min(_recentCount + 1, RecentCapacity);

        AddToDay(now / TimeSpan.TicksPerDay, amount);

        if (transaction is { Lat: { } lat, Lon: { } lon })
        {
            (_hasLocation, _lastLat, _lastLon, _lastLocationTicks) = (true, lat, lon, now);
        }

        Remember(_countries, ref _countryCount, CountryKey(transaction.Location));
        if (transaction.DeviceId is { } device)
        {
            Remember(_devices, ref _deviceCount, StableHash.Of(device));
        }

        if (transaction.MerchantId is { } merchant)
        {
            Remember(_merchants, ref _merchantCount, StableHash.Of(merchant));
        }

        HistoryCount = HistoryCount == int.MaxValue ? int.MaxValue : HistoryCount + 1;
        LastTicks = now;
    }

    private readonly void WriteAmountVersusHistory(double amount, Span<float> features)
    {
        if (HistoryCount == 0)
        {
            features[FeatureSchema.AmountLogRatio] = 0;
            features[FeatureSchema.AmountZScore] = 0;
            return;
        }

        // The floor keeps a user who always pays the same amount from producing infinite z-scores; being a share of
        // the mean, it works the same in any currency.
        double std = Math.Sqrt(Math.Max(0, _amountSquaredDeviations / _amountWeight));
        double scale = Math.Max(std, StdFloorShareOfMean * _amountMean);
        features[FeatureSchema.AmountLogRatio] = (float)Math.Log(amount / _amountMean);
        features[FeatureSchema.AmountZScore] = (float)((amount - _amountMean) / scale);
    }

    private readonly void WriteWindows(long now, double amount, Span<float> features)
    {
        ReadOnlySpan<long> ticks = _recentTicks;
        ReadOnlySpan<float> amounts = _recentAmounts;
        int count1m = 0, count1h = 0, count24h = 0;
        double sum1m = 0, sum1h = 0, sum24h = 0;
        for (int age = 0; age < _recentCount; age++)
        {
            int index = RecentIndex(age);
            long elapsed = now - ticks[index];
            if (elapsed >= TimeSpan.TicksPerDay)
            {
                break;
            }

            count24h++;
            sum24h += amounts[index];
            if (elapsed < TimeSpan.TicksPerHour)
            {
                count1h++;
                sum1h += amounts[index];
                if (elapsed < TimeSpan.TicksPerMinute)
                {
                    count1m++;
                    sum1m += amounts[index];
                }
            }
        }

        features[FeatureSchema.Count1m] = count1m;
        features[FeatureSchema.AmountSum1mLog] = (float)Math.Log(1 + sum1m);
        features[FeatureSchema.Count1h] = count1h;
        features[FeatureSchema.AmountSum1hLog] = (float)Math.Log(1 + sum1h);
        features[FeatureSchema.Count24h] = count24h;
        features[FeatureSchema.AmountSum24hLog] = (float)Math.Log(1 + sum24h);
        features[FeatureSchema.AmountLogRatio1d] = LogRatioToMean(amount, sum24h, count24h);
    }

    private static float LogRatioToMean(double amount, double sum, int count) => count == 0 ? 0 : (float)Math.Log(amount / (sum / count));

    private readonly void WriteTravel(Transaction transaction, long now, Span<float> features)
    {
        if (!_hasLocation || transaction is not { Lat: { } lat, Lon: { } lon })
        {
            features[FeatureSchema.DistanceKm] = 0;
            features[FeatureSchema.SpeedKmh] = 0;
            return;
        }

        // The one-minute floor keeps two nearly simultaneous transactions a few kilometres apart (a terminal's
        // rounded coordinates, say) from reading as supersonic.
        double distance = GeoDistance.HaversineKm(_lastLat, _lastLon, lat, lon);
        double hours = Math.Max((now - _lastLocationTicks) / (double)TimeSpan.TicksPerHour, MinTravelHours);
        features[FeatureSchema.DistanceKm] = (float)distance;
        features[FeatureSchema.SpeedKmh] = (float)(distance / hours);
    }

    private readonly int RecentIndex(int age) => (_newestRecent - age + RecentCapacity) % RecentCapacity;

    private static float Flag(bool value) => value ? 1f : 0f;

    /// <summary>A country code as a number: the contract guarantees two uppercase ASCII letters.</summary>
    private static int CountryKey(string location) => (location[0] << 8) | location[1];

    private static bool Contains(ReadOnlySpan<int> slots, int count, int key) => slots[..count].Contains(key);

    /// <summary>Moves <paramref name="key"/> to the front (most recently seen), dropping the least recent one when full.</summary>
    private static void Remember(Span<int> slots, ref int count, int key)
    {
        int index = slots[..count].IndexOf(key);
        if (index < 0)
        {
            index = Math.Min(count, slots.Length - 1);
            count = Math.Min(count + 1, slots.Length);
        }

        slots[..index].CopyTo(slots[1..]); // overlapping copy: Span.CopyTo moves like memmove
        slots[0] = key;
    }

    [InlineArray(RecentCapacity)]
    private struct RecentTicks
    {
        private long _element;
    }

    [InlineArray(RecentCapacity)]
    private struct RecentAmounts
    {
        private float _element;
    }

    [InlineArray(8)]
    private struct Remembered8
    {
        private int _element;
    }

    [InlineArray(16)]
    private struct Remembered16
    {
        private int _element;
    }
}
