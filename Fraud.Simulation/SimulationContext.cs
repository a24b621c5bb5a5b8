using Fraud.Core;

namespace Fraud.Simulation;

/// <summary>A transaction planned for later by a fraud scenario; it gets its id when its time comes.</summary>
internal readonly record struct ScheduledTransaction(long At, Transaction Draft, string? Scenario);

/// <summary>
/// What a running simulation shares between the everyday traffic and the fraud scenarios: the world, the
/// population, the random stream, the event clock, the transactions scheduled for later, and the building blocks
/// that turn a user, a merchant and an amount into a <see cref="Transaction"/>. Times are microseconds since the
/// Unix epoch (UTC), the precision of the wire.
/// </summary>
internal sealed class SimulationContext
{
    public const long MicrosecondsPerSecond = 1_000_000;
    public const long MicrosecondsPerDay = 86_400 * MicrosecondsPerSecond;

    /// <summary>How long after its start a single-transaction episode happens: so that it does not fall on the trigger's instant.</summary>
    public static readonly TimeSpan LongestLeadIn = TimeSpan.FromMinutes(10);

    /// <summary>Amounts are in the card's billing currency, whatever the country of purchase.</summary>
    private const string BillingCurrency = "EUR";

    private readonly PriorityQueue<ScheduledTransaction, (long At, long Order)> _scheduled = new();
    private readonly Dictionary<int, long> _compromisedUntil = [];
    private SimulationRandom _random;
    private long _scheduleOrder;

    public SimulationContext(SimulationOptions options)
    {
        ulong seed = (ulong)options.Seed;
        _random = SimulationRandom.For(seed, Streams.Main);
        World = new World(seed, options.Merchants);
        Population = new Population(seed, options.Users, World);
        Now = ToMicroseconds(options.Start);
    }

    public World World { get; }

    public Population Population { get; }

    /// <summary>The main stream, by reference: take it as <c>ref var random = ref context.Random</c>, never as a copy.</summary>
    public ref SimulationRandom Random => ref _random;

    /// <summary>The event clock: the time of the transaction emitted last.</summary>
    public long Now { get; set; }

    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset ToTimestamp(long microseconds) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (microseconds * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    public static long ToMicroseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Plans a transaction; <paramref name="scenario"/> null means the card holder's own (legitimate).</summary>
    public void Schedule(long at, Transaction draft, string? scenario) =>
        _scheduled.Enqueue(new ScheduledTransaction(at, draft, scenario), (at, _scheduleOrder++));

    /// <summary>The earliest scheduled transaction, if it is due no later than <paramref name="until"/>.</summary>
    public bool TryTakeScheduled(long until, out ScheduledTransaction next)
    {
        if (_scheduled.TryPeek(out next, out var priority) && priority.At <= until)
        {
            _scheduled.Dequeue();
            return true;
        }

        next = default;
        return false;
    }

    /// <summary>Forgets the transactions scheduled before <paramref name="instant"/> (they belong to the time before the run).</summary>
    public void DropScheduledBefore(long instant)
    {
        while (_scheduled.TryPeek(out _, out var priority) && priority.At < instant)
        {
            _scheduled.Dequeue();
        }
    }

    /// <summary>A delay drawn uniformly between two durations, in microseconds.</summary>
    public long Delay(TimeSpan min, TimeSpan max) => (long)_random.Between(ToMicroseconds(min), ToMicroseconds(max));

    /// <summary>An instant in [<paramref name="start"/>, <paramref name="end"/>) that follows the daily rhythm (busier by day).</summary>
    public long InstantWithin(long start, long end)
    {
        while (true)
        {
            long candidate = start + (long)(_random.NextDouble() * (end - start));
            if (_random.NextDouble() * DailyRhythm.Peak < DailyRhythm.At(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>A fresh device fingerprint that no user has (with overwhelming probability): the fraudster's own.</summary>
    public string NewDevice() => Population.DeviceId(_random.NextUInt64());

    /// <summary>A purchase amount typical of <paramref name="user"/>: log-normal with the user's mean and spread.</summary>
    public decimal Purchase(in UserProfile user) => Money(_random.LogNormal(user.AmountMean, user.AmountStd));

    /// <summary>A cash withdrawal: a round amount, larger than the user's usual purchase.</summary>
    public decimal Cash(in UserProfile user) =>
        Math.Max(20m, 10m * Math.Round((decimal)_random.LogNormal(user.AmountMean * 3, user.AmountStd * 2) / 10m));

    public static decimal Money(double amount) => Math.Round((decimal)Math.Max(amount, 0.5), 2);

    /// <summary>Every transaction at the terminal is fraudulent until <paramref name="until"/>; everyday traffic avoids it meanwhile.</summary>
    public void Compromise(int terminal, long until) => _compromisedUntil[terminal] = until;

    public bool IsCompromised(int terminal, long at) => _compromisedUntil.TryGetValue(terminal, out long until) && at < until;

    /// <summary>Any shop of a city that is not compromised at <paramref name="at"/>.</summary>
    public int AnyShop(int city, long at)
    {
        int[] shops = World.ShopsIn(city);
        int index = _random.NextInt(shops.Length);
        // Compromised terminals are a handful among thousands: walking on to the next shop ends at once.
        for (int step = 0; step < shops.Length && IsCompromised(shops[index], at); step++)
        {
            index = (index + 1) % shops.Length;
        }

        return shops[index];
    }

    /// <summary>A shop the user would walk into: one of the usual ones at home (if not compromised), any one elsewhere.</summary>
    public int FamiliarShop(in UserProfile user, int city, long at)
    {
        if (city == user.HomeCity)
        {
            int usual = Population.UsualShop(user, _random.NextInt(user.UsualShops));
            if (!IsCompromised(usual, at))
            {
                return usual;
            }
        }

        return AnyShop(city, at);
    }

    /// <summary>A purchase or withdrawal with the card at a terminal: location and coordinates are the terminal's.</summary>
    public Transaction CardPresent(string txId, in UserProfile user, int terminal, long at, decimal amount)
    {
        var merchant = World.Merchants[terminal];
        return new Transaction(
            txId,
            user.Id,
            amount,
            BillingCurrency,
            Cities.All[merchant.City].Country,
            ToTimestamp(at),
            merchant.Id,
            merchant.Mcc,
            merchant.Mcc == World.AtmMcc ? Channel.Atm : Channel.Pos,
            merchant.ReaderId,
            merchant.Lat,
            merchant.Lon);
    }

    /// <summary>An online purchase: located where the buyer's device is (<paramref name="country"/>), no coordinates.</summary>
    public Transaction Online(string txId, in UserProfile user, int store, long at, decimal amount, string device, string country)
    {
        var merchant = World.Merchants[store];
        return new Transaction(txId, user.Id, amount, BillingCurrency, country, ToTimestamp(at), merchant.Id, merchant.Mcc, Channel.Ecom, device);
    }
}
