using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

// The snapshot of one user's history that FeatureState.TryExport writes and TryImport reads. Every value is written
// field by field, little-endian, floating point as its exact bits, so that a snapshot reads back bit for bit on any
// machine; only the filled part of the ring and of the remembered lists is written, the ring newest first.
//
//   size  field
//   1     format version (FormatVersion)
//   4     layout: a hash of UserActivity's fields (see ComputeLayout)
//   8     user id
//   4     history count
//   8     last event time (UTC ticks)
//   8×3   decayed amount weight, mean, sum of squared deviations
//   1     flags: bit 0 = a located transaction follows
//  (8×3)  its latitude, longitude, time (ticks), only with the flag
//   1+12n recent count n, then n times (ticks), then n amounts (float32), newest first
//   1+12k day buckets k: from the day of the last event time back to the oldest non-empty bucket, then k counts
//         (int32), then k amount sums (float64), newest day first
//   1+4c  remembered countries: count, then keys, most recent first
//   1+4d  remembered devices, likewise
//   1+4m  remembered merchants, likewise
//   4     checksum: FNV-1a of every byte before it
//
// A field marked [NotInSnapshot] (the day windows' totals before the newest day) is derived from the others: it is
// not written, and the reader computes it again.
internal partial struct UserActivity
{
    /// <summary>Bump when the meaning of a field changes; a change of the fields themselves changes <see cref="Layout"/>.</summary>
    public const byte FormatVersion = 2;

    // The lengths of the remembered lists' inline arrays.
    private const int CountryCapacity = 8;
    private const int DeviceCapacity = 8;
    private const int MerchantCapacity = 16;
    private const int HeaderLength = 1 + 4 + 8;
    private const int FixedLength = HeaderLength + 4 + 8 + (3 * 8) + 1 + 1 + 1 + 1 + 1 + 1 + 4;
    private const int LocationLength = 3 * 8;
    private const int RecentEntryLength = 8 + 4;
    private const int DayEntryLength = 4 + 8;
    private const byte HasLocationFlag = 1;

    /// <summary>The longest snapshot: a located user with a full ring, a transaction on the oldest day of its buckets, and full lists.</summary>
    public const int MaxSnapshotLength =
        FixedLength + LocationLength + (RecentCapacity * RecentEntryLength) + (DayCapacity * DayEntryLength)
        + (4 * (CountryCapacity + DeviceCapacity + MerchantCapacity));

    /// <summary>
    /// A hash of this struct's instance fields (name, type and size, which includes an inline array's length), but for
    /// the derived ones marked <see cref="NotInSnapshotAttribute"/>: snapshots written by a build whose fields differ
    /// are refused rather than misread.
    /// </summary>
    public static readonly uint Layout = ComputeLayout();

    /// <summary>Bytes <see cref="WriteSnapshot"/> writes for this history.</summary>
    public readonly int SnapshotLength =>
        FixedLength + (_hasLocation ? LocationLength : 0) + (_recentCount * RecentEntryLength) + (FilledDays * DayEntryLength)
        + (4 * (_countryCount + _deviceCount + _merchantCount));

    /// <summary>The buckets a snapshot writes: from the newest day back to the oldest one with a transaction.</summary>
    private readonly int FilledDays
    {
        get
        {
            ReadOnlySpan<int> counts = _dayCounts;
            long newestDay = LastTicks / TimeSpan.TicksPerDay;
            int filled = DayCapacity;
            while (filled > 0 && counts[DaySlot(newestDay - (filled - 1))] == 0)
            {
                filled--;
            }

            return filled;
        }
    }

    /// <summary>Writes the snapshot of this history, as <paramref name="userId"/>'s, into exactly <see cref="SnapshotLength"/> bytes.</summary>
    public readonly void WriteSnapshot(long userId, Span<byte> destination)
    {
        var writer = new SnapshotWriter(destination);
        writer.Byte(FormatVersion);
        writer.UInt32(Layout);
        writer.Int64(userId);
        writer.Int32(HistoryCount);
        writer.Int64(LastTicks);
        writer.Double(_amountWeight);
        writer.Double(_amountMean);
        writer.Double(_amountSquaredDeviations);
        writer.Byte(_hasLocation ? HasLocationFlag : (byte)0);
        if (_hasLocation)
        {
            writer.Double(_lastLat);
            writer.Double(_lastLon);
            writer.Int64(_lastLocationTicks);
        }

        ReadOnlySpan<long> ticks = _recentTicks;
        ReadOnlySpan<float> amounts = _recentAmounts;
        writer.Byte((byte)_recentCount);
        for (int age = 0; age < _recentCount; age++)
        {
            writer.Int64(ticks[RecentIndex(age)]);
        }

        for (int age = 0; age < _recentCount; age++)
        {
            writer.Single(amounts[RecentIndex(age)]);
        }

        ReadOnlySpan<int> dayCounts = _dayCounts;
        ReadOnlySpan<double> daySums = _daySums;
        int filledDays = FilledDays;
        long newestDay = LastTicks / TimeSpan.TicksPerDay;
        writer.Byte((byte)filledDays);
        for (int age = 0; age < filledDays; age++)
        {
            writer.Int32(dayCounts[DaySlot(newestDay - age)]);
        }

        for (int age = 0; age < filledDays; age++)
        {
            writer.Double(daySums[DaySlot(newestDay - age)]);
        }

        writer.Keys(_countries[.._countryCount]);
        writer.Keys(_devices[.._deviceCount]);
        writer.Keys(_merchants[.._merchantCount]);
        writer.UInt32(Checksum(destination[..writer.Position]));
    }

    /// <summary>
    /// Reads a snapshot written by <see cref="WriteSnapshot"/> for <paramref name="userId"/>. Refuses, with false, a
    /// snapshot of another length, format version or layout, of another user, failing its checksum, or whose values
    /// break the history's invariants (counts past capacity, times out of order or out of range).
    /// </summary>
    public static bool TryReadSnapshot(long userId, ReadOnlySpan<byte> source, out UserActivity activity)
    {
        activity = default;
        if (source.Length < FixedLength
            || source[0] != FormatVersion
            || BinaryPrimitives.ReadUInt32LittleEndian(source[1..]) != Layout
            || BinaryPrimitives.ReadUInt32LittleEndian(source[^4..]) != Checksum(source[..^4]))
        {
            return false;
        }

        var reader = new SnapshotReader(source[5..^4]);
        if (reader.Int64() != userId)
        {
            return false;
        }

        var read = new UserActivity
        {
            HistoryCount = reader.Int32(),
            LastTicks = reader.Int64(),
            _amountWeight = reader.Double(),
            _amountMean = reader.Double(),
            _amountSquaredDeviations = reader.Double(),
        };
        byte flags = reader.Byte();
        if (read.HistoryCount < 0 || !IsTime(read.LastTicks) || flags is not (0 or HasLocationFlag))
        {
            return false;
        }

        if (flags == HasLocationFlag)
        {
            (read._hasLocation, read._lastLat, read._lastLon, read._lastLocationTicks) = (true, reader.Double(), reader.Double(), reader.Int64());
            if (!IsTime(read._lastLocationTicks) || read._lastLocationTicks > read.LastTicks)
            {
                return false;
            }
        }

        // The ring is laid out with the oldest entry first: the windows read it by age only, so where it starts
        // does not matter, and the next transaction folded in lands after the newest as it would have.
        int recentCount = reader.Byte();
        if (recentCount != Math.Min(RecentCapacity, read.HistoryCount))
        {
            return false; // every transaction folded in enters the ring
        }

        read._recentCount = recentCount;
        read._newestRecent = Math.Max(recentCount - 1, 0);
        Span<long> ticks = read._recentTicks;
        Span<float> amounts = read._recentAmounts;
        long newer = read.LastTicks;
        for (int age = 0; age < recentCount; age++)
        {
            long time = reader.Int64();
            if (!IsTime(time) || time > newer)
            {
                return false; // the windows stop at the first entry outside them, so the ring must be in time order
            }

            ticks[read.RecentIndex(age)] = newer = time;
        }

        for (int age = 0; age < recentCount; age++)
        {
            amounts[read.RecentIndex(age)] = reader.Single();
        }

        if (!ReadDays(ref reader, ref read))
        {
            return false;
        }

        read.RememberEarlierDays(read.NewestDay);

        read._countryCount = reader.Keys(read._countries);
        read._deviceCount = reader.Keys(read._devices);
        read._merchantCount = reader.Keys(read._merchants);
        if (read._countryCount < 0 || read._deviceCount < 0 || read._merchantCount < 0 || !reader.AtEnd)
        {
            return false;
        }

        activity = read;
        return true;
    }

    /// <summary>
    /// Reads the day buckets into <paramref name="read"/>, whose history count and last event time are read already.
    /// False when they break the invariants: the newest bucket holds the latest transaction and the oldest written
    /// one is not empty (as <see cref="FilledDays"/> writes them), counts are not negative and add up to at most the
    /// history count, an empty bucket sums to 0, every sum is finite.
    /// </summary>
    private static bool ReadDays(ref SnapshotReader reader, ref UserActivity read)
    {
        int filledDays = reader.Byte();
        if (filledDays > DayCapacity || (filledDays == 0) != (read.HistoryCount == 0))
        {
            return false;
        }

        Span<int> counts = read._dayCounts;
        Span<double> sums = read._daySums;
        long newestDay = read.LastTicks / TimeSpan.TicksPerDay;
        long total = 0;
        for (int age = 0; age < filledDays; age++)
        {
            int count = reader.Int32();
            if (count < 0 || (count == 0 && (age == 0 || age == filledDays - 1)))
            {
                return false;
            }

            counts[DaySlot(newestDay - age)] = count;
            total += count;
        }

        for (int age = 0; age < filledDays; age++)
        {
            double sum = reader.Double();
            if (!double.IsFinite(sum) || (counts[DaySlot(newestDay - age)] == 0 && sum != 0))
            {
                return false;
            }

            sums[DaySlot(newestDay - age)] = sum;
        }

        return total <= read.HistoryCount;
    }

    private static bool IsTime(long ticks) => ticks >= 0 && ticks <= DateTime.MaxValue.Ticks;

    /// <summary>FNV-1a over bytes, as <see cref="StableHash"/> over characters.</summary>
    private static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    private static uint ComputeLayout()
    {
        var fields = typeof(UserActivity)
            .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(field => !field.IsDefined(typeof(NotInSnapshotAttribute)))
            .Select(field => $"{field.Name}:{field.FieldType.Name}:{RuntimeHelpers.SizeOf(field.FieldType.TypeHandle)}")
            .Order(StringComparer.Ordinal);
        return Checksum(System.Text.Encoding.UTF8.GetBytes(string.Join(';', fields)));
    }

    /// <summary>
    /// Marks a field derived from the others (a cache), which the snapshot does not write and the reader rebuilds: it
    /// is left out of <see cref="Layout"/>, so adding one does not make older snapshots unreadable.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field)]
    private sealed class NotInSnapshotAttribute : Attribute;

    /// <summary>Writes little-endian values one after another; the caller sized the span.</summary>
    private ref struct SnapshotWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Position { get; private set; }

        public void Byte(byte value) => _destination[Position++] = value;

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Next(4), value);

        public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Next(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Next(8), value);

        public void Single(float value) => BinaryPrimitives.WriteSingleLittleEndian(Next(4), value);

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Next(8), value);

        public void Keys(scoped ReadOnlySpan<int> keys)
        {
            Byte((byte)keys.Length);
            foreach (int key in keys)
            {
                Int32(key);
            }
        }

        private Span<byte> Next(int length)
        {
            var span = _destination.Slice(Position, length);
            Position += length;
            return span;
        }
    }

    /// <summary>
    /// Reads little-endian values one after another. Past the end it reads zeros and remembers the overrun, so a
    /// short snapshot needs no check at every step: <see cref="AtEnd"/> is false after it.
    /// </summary>
    private ref struct SnapshotReader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private int _position;

        public readonly bool AtEnd => _position == _source.Length;

        public byte Byte() => Next(1) is [var value] ? value : (byte)0;

        public int Int32() => Next(4) is { Length: 4 } bytes ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : 0;

        public long Int64() => Next(8) is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : 0;

        public float Single() => Next(4) is { Length: 4 } bytes ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : 0;

        public double Double() => Next(8) is { Length: 8 } bytes ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : 0;

        /// <summary>A count byte and that many keys into <paramref name="slots"/>; -1 when the count exceeds their length.</summary>
        public int Keys(scoped Span<int> slots)
        {
            int count = Byte();
            if (count > slots.Length)
            {
                return -1;
            }

            for (int i = 0; i < count; i++)
            {
                slots[i] = Int32();
            }

            return count;
        }

        private ReadOnlySpan<byte> Next(int length)
        {
            // An overrun moves the position past the end for good, so AtEnd stays false.
            int start = _position;
            _position += length;
            return _position <= _source.Length ? _source.Slice(start, length) : [];
        }
    }
}
