namespace Fraud.Simulation;

/// <summary>
/// The simulator's only source of randomness: SplitMix64 (Steele, Lea and Flood, 2014), a 64-bit generator whose
/// output depends on nothing but its seed, so a run is reproducible on any machine and .NET version (unlike
/// <see cref="Random.Shared"/>, or <see cref="Random"/> whose algorithm is an implementation detail).
/// </summary>
/// <remarks>
/// A mutable struct: keep it in a field or a local and call it in place, never through a copy. <see cref="For"/>
/// derives an independent stream from a key, which is how a user's profile or a trip is a pure function of
/// (seed, id) and costs no memory.
/// </remarks>
internal struct SimulationRandom(ulong seed)
{
    private const double UnitScale = 1.0 / (1UL << 53);

    private ulong _state = seed;

    /// <summary>The stream for one entity, e.g. <c>For(seed, Streams.User, userId)</c>: the same key, the same stream.</summary>
    public static SimulationRandom For(ulong seed, ulong stream, ulong item = 0, ulong subItem = 0) =>
        new(Mix(Mix(Mix(Mix(seed) + stream) + item) + subItem));

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.</summary>
    public static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * UnitScale;

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>) by Lemire's multiply-shift (bias below 2^-32).</summary>
    public int NextInt(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int Between(int min, int max) => min + NextInt(max - min + 1);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Between(double min, double max) => min + ((max - min) * NextDouble());

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Exponentially distributed with the given rate (mean 1 / rate): a Poisson process's waiting time.</summary>
    public double Exponential(double rate) => -Math.Log(1.0 - NextDouble()) / rate;

    /// <summary>Standard normal by Box–Muller (one of the pair is used; simplicity over speed).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Poisson-distributed count with the given mean, by Knuth's product of uniforms: O(mean), meant for small means.</summary>
    public int Poisson(double mean)
    {
        double limit = Math.Exp(-mean);
        double product = NextDouble();
        int count = 0;
        while (product > limit)
        {
            count++;
            product *= NextDouble();
        }

        return count;
    }

    /// <summary>Log-normal with the given mean and standard deviation of the value itself (not of its logarithm).</summary>
    public double LogNormal(double mean, double standardDeviation)
    {
        double variance = Math.Log(1.0 + (standardDeviation * standardDeviation / (mean * mean)));
        return Math.Exp(Math.Log(mean) - (variance / 2) + (Math.Sqrt(variance) * Normal()));
    }

    /// <summary>Uniform on a log scale: as likely to fall in [10, 100) as in [100, 1000).</summary>
    public double LogUniform(double min, double max) => min * Math.Pow(max / min, NextDouble());

    public T Pick<T>(T[] items) => items[NextInt(items.Length)];
}

/// <summary>Stream keys for <see cref="SimulationRandom.For"/>: one per kind of entity, so streams never overlap.</summary>
internal static class Streams
{
    public const ulong Main = 1;
    public const ulong World = 2;
    public const ulong User = 3;
    public const ulong Trip = 4;
    public const ulong HandbookCustomer = 5;
    public const ulong HandbookTerminal = 6;
    public const ulong HandbookCustomerDay = 7;
    public const ulong HandbookCompromisedTerminals = 8;
    public const ulong HandbookCompromisedCards = 9;
}
