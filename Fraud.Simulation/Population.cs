namespace Fraud.Simulation;

/// <summary>
/// A card holder's habits. Derived from (seed, id) by <see cref="Population.Get"/>: never stored.
/// </summary>
/// <param name="Id">The <c>user_id</c>, 1..users.</param>
/// <param name="Key">Seeds the user's lists (usual shops, stores, devices): item k is a hash of (key, k).</param>
/// <param name="ActivityPerDay">Transactions per day on an average day (the daily rhythm scales it by hour).</param>
/// <param name="HomeCity">Index into <see cref="Cities.All"/>.</param>
/// <param name="AmountMean">Mean purchase amount in EUR.</param>
/// <param name="AmountStd">Standard deviation of purchase amounts in EUR.</param>
/// <param name="EcomShare">Share of transactions made online.</param>
/// <param name="AtmShare">Share of transactions that are cash withdrawals.</param>
/// <param name="Loyalty">Probability that an in-store purchase at home is at one of the usual shops.</param>
/// <param name="UsualShops">How many usual shops in the home city.</param>
/// <param name="UsualStores">How many usual online stores.</param>
/// <param name="Devices">How many devices the user shops online from (phone, laptop).</param>
internal readonly record struct UserProfile(
    long Id,
    ulong Key,
    double ActivityPerDay,
    int HomeCity,
    double AmountMean,
    double AmountStd,
    double EcomShare,
    double AtmShare,
    double Loyalty,
    int UsualShops,
    int UsualStores,
    int Devices)
{
    public string HomeCountry => Cities.All[HomeCity].Country;
}

/// <summary>Where a user is at an instant: at home, abroad on a trip, or in transit (in the air: online purchases only).</summary>
internal readonly record struct Whereabouts(int City, bool InTransit);

/// <summary>
/// The card holders: users 1..N, each a pure function of (seed, id), so a population of millions costs no memory.
/// Users are drawn in proportion to their activity, which makes the superposed arrivals of all users one Poisson
/// process that the simulator samples once (see <see cref="TransactionSimulator"/>).
/// </summary>
internal sealed class Population(ulong seed, int size, World world)
{
    /// <summary>Activity ranges from a card used every few days to a dozen times a day, skewed towards the low end.</summary>
    public const double MinActivity = 0.3;

    public const double MaxActivity = 12.0;

    private const double ActivitySkew = 3.0;

    /// <summary>Mean of <c>Min + (Max - Min) * U^skew</c>: the expected transactions per user per day.</summary>
    public const double MeanActivity = MinActivity + ((MaxActivity - MinActivity) / (ActivitySkew + 1));

    // Trips: per user and fortnight, a chance of one trip of 2–10 days within it (about 2.6 trips a year, ~4% of days abroad).
    private const long Fortnight = 14L * 86_400_000_000;
    private const double TripChancePerFortnight = 0.1;
    private const double MinTripDays = 2;
    private const double MaxTripDays = 10;
    private const double FlightSpeedKmPerHour = 700;

    // Salts that separate a user's lists from one another.
    private const ulong ShopSalt = 1;
    private const ulong StoreSalt = 2;
    private const ulong DeviceSalt = 3;
    private const ulong AtmSalt = 4;

    public int Size => size;

    public UserProfile Get(long id)
    {
        var random = SimulationRandom.For(seed, Streams.User, (ulong)id);
        // Activity must stay the first draw: SampleByActivity reads it alone.
        double activity = Activity(ref random);
        int home = world.PickHome(ref random);
        double amountMean = Math.Clamp(random.LogNormal(45, 35), 5, 600);
        return new UserProfile(
            Id: id,
            Key: random.NextUInt64(),
            ActivityPerDay: activity,
            HomeCity: home,
            AmountMean: amountMean,
            AmountStd: amountMean * random.Between(0.35, 1.1),
            EcomShare: random.Between(0.08, 0.45),
            AtmShare: random.Between(0.02, 0.10),
            Loyalty: random.Between(0.6, 0.9),
            UsualShops: random.Between(4, 10),
            UsualStores: random.Between(2, 5),
            Devices: random.Between(1, 2));
    }

    /// <summary>A user drawn in proportion to activity (rejection sampling: about Max / Mean ≈ 3.7 draws each).</summary>
    public UserProfile SampleByActivity(ref SimulationRandom random)
    {
        while (true)
        {
            long id = 1 + random.NextInt(size);
            var stream = SimulationRandom.For(seed, Streams.User, (ulong)id);
            if (random.NextDouble() * MaxActivity < Activity(ref stream))
            {
                return Get(id);
            }
        }
    }

    /// <summary>Any user, each equally likely: fraud picks its victims without regard to how often they shop.</summary>
    public UserProfile SampleUniform(ref SimulationRandom random) => Get(1 + random.NextInt(size));

    /// <summary>
    /// A user who lives in <paramref name="city"/> and is there at <paramref name="at"/> (or, in a population too small
    /// to have one, any user).
    /// </summary>
    public UserProfile SampleResidentPresent(ref SimulationRandom random, int city, long at)
    {
        const int Attempts = 10_000;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var user = SampleUniform(ref random);
            if (user.HomeCity == city && WhereIs(user, at) == new Whereabouts(city, InTransit: false))
            {
                return user;
            }
        }

        return SampleUniform(ref random);
    }

    /// <summary>A user, each equally likely, who is not in the air at <paramref name="at"/>: one who can pay in person.</summary>
    public UserProfile SampleOnTheGround(ref SimulationRandom random, long at)
    {
        while (true)
        {
            var user = SampleUniform(ref random);
            if (!WhereIs(user, at).InTransit)
            {
                return user;
            }
        }
    }

    public int UsualShop(in UserProfile user, int rank)
    {
        int[] shops = world.ShopsIn(user.HomeCity);
        return shops[Item(user.Key, ShopSalt, rank, shops.Length)];
    }

    public int UsualStore(in UserProfile user, int rank) => world.Online[Item(user.Key, StoreSalt, rank, world.Online.Length)];

    public int UsualAtm(in UserProfile user)
    {
        int[] atms = world.AtmsIn(user.HomeCity);
        return atms[Item(user.Key, AtmSalt, 0, atms.Length)];
    }

    /// <summary>An online fingerprint such as <c>d_3f9a0c21b7e4</c>; attackers' devices look the same.</summary>
    public string Device(in UserProfile user, int rank) => DeviceId(SimulationRandom.Mix(user.Key + DeviceSalt + (ulong)rank));

    public static string DeviceId(ulong value) => $"d_{value & 0xFFFF_FFFF_FFFF:x12}";

    /// <summary>Home, or the trip the user is on at <paramref name="at"/> (microseconds since the Unix epoch).</summary>
    public Whereabouts WhereIs(in UserProfile user, long at)
    {
        if (TripIn(user, FloorDiv(at, Fortnight)) is { } trip && at >= trip.Start && at < trip.End)
        {
            bool inTransit = at < trip.Start + trip.Flight || at >= trip.End - trip.Flight;
            return new Whereabouts(trip.City, inTransit);
        }

        return new Whereabouts(user.HomeCity, InTransit: false);
    }

    private static double Activity(ref SimulationRandom random) =>
        MinActivity + ((MaxActivity - MinActivity) * Math.Pow(random.NextDouble(), ActivitySkew));

    private static int Item(ulong key, ulong salt, int rank, int count) =>
        (int)(((SimulationRandom.Mix(key ^ SimulationRandom.Mix((salt << 32) + (ulong)rank)) >> 32) * (ulong)count) >> 32);

    private static long FloorDiv(long value, long divisor) => (value / divisor) - (value % divisor < 0 ? 1 : 0);

    private (long Start, long End, long Flight, int City)? TripIn(in UserProfile user, long period)
    {
        var random = SimulationRandom.For(seed, Streams.Trip, (ulong)user.Id, (ulong)period);
        if (!random.Chance(TripChancePerFortnight))
        {
            return null;
        }

        // The whole trip lies within its fortnight, so trips never overlap and only one can cover an instant.
        long length = (long)(random.Between(MinTripDays, MaxTripDays) * 86_400_000_000);
        long start = (period * Fortnight) + (long)(random.NextDouble() * (Fortnight - length));
        long end = start + length;
        int city = world.PickDestination(ref random, user.HomeCountry);
        var home = Cities.All[user.HomeCity];
        var destination = Cities.All[city];
        // Boarding, the flight and getting to town: no card-present purchase can happen in between.
        double hours = 1 + (Cities.DistanceKm(home.Lat, home.Lon, destination.Lat, destination.Lon) / FlightSpeedKmPerHour);
        return (start, end, (long)(hours * 3_600_000_000), city);
    }
}
