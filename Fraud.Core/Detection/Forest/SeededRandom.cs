namespace Fraud.Core.Detection.Forest;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Our own generator rather than
/// <c>new Random(seed)</c>, whose seeded sequence .NET does not promise to keep across versions: a model trained
/// with a seed must be reproducible on any runtime.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>) (multiply-high; bias below 2⁻³²).</summary>
    public int NextInt(int minInclusive, int maxExclusive) =>
        minInclusive + (int)Math.BigMul(NextUInt64(), (ulong)(maxExclusive - minInclusive), out _);

    /// <summary>
    /// <paramref name="count"/> distinct integers of [0, <paramref name="population"/>), drawn without replacement
    /// (Floyd's algorithm: <paramref name="count"/> draws whatever the population), in increasing order.
    /// </summary>
    public int[] SampleWithoutReplacement(int population, int count)
    {
        var chosen = new HashSet<int>(count);
        for (var j = population - count; j < population; j++)
        {
            var t = NextInt(0, j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        var sample = chosen.ToArray();
        Array.Sort(sample);
        return sample;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
