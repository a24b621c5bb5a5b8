using System.Globalization;

namespace Fraud.Core.Simulation;

/// <summary>
/// A labelled stream of card transactions in event-time order: everyday traffic from a population of card holders
/// plus fraud from the scenarios of <see cref="SimulationOptions.ScenarioMix"/>. Pure and deterministic: no I/O, no
/// wall clock, one seeded random stream, so the same options give the same transactions, byte for byte.
/// </summary>
/// <remarks>
/// <para>Everyday traffic: every user's purchases form a Poisson process whose rate is the user's activity times the
/// daily rhythm. Their sum is one Poisson process of the population's rate, sampled by thinning (Lewis and Shedler,
/// 1979): candidates arrive at the peak rate and each is kept with probability rhythm / peak; the user is then drawn
/// in proportion to activity. That costs the same whether the population has a thousand users or millions.</para>
/// <para>Fraud: after each transaction, a scenario whose fraudulent transactions (emitted or scheduled) fall below
/// its share of everything emitted so far starts an episode, which schedules its transactions at later event
/// times. The shares therefore hold over any long run; episodes that last days are cut short at the end of a
/// run, so those scenarios come out slightly under their share in its last days.</para>
/// </remarks>
public sealed class TransactionSimulator
{
    // Everyday habits not tied to one user.
    private const double UsualStoreShare = 0.75;
    private const double UsualAtmShare = 0.8;
    private const double SecondDeviceShare = 0.3;
    private const int NewShopAttempts = 20;

    private readonly SimulationContext _context;
    private readonly int _seed;
    private readonly FraudScenario[] _scenarios;
    private readonly double[] _targetShares;
    private readonly long[] _committed;
    private readonly double[] _slack;
    private readonly double _peakRatePerMicrosecond;
    private long _nextArrival;
    private long _emitted;

    /// <summary>Prepares a run: lays out the world from the seed; the first transaction is made by <see cref="Next"/>.</summary>
    /// <param name="options">The run's options.</param>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="SimulationOptions.Validate"/>).</exception>
    public TransactionSimulator(SimulationOptions options)
    {
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _seed = options.Seed;
        _context = new SimulationContext(options);
        _scenarios = [.. options.ScenarioMix.Shares.Select(s => s.Scenario)];
        _targetShares = [.. options.ScenarioMix.Shares.Select(s => s.Share * options.FraudRate)];
        _committed = new long[_scenarios.Length];
        _slack = new double[_scenarios.Length];
        for (int i = 0; i < _slack.Length; i++)
        {
            _slack[i] = _context.Random.NextDouble();
        }

        _peakRatePerMicrosecond = options.MeanTransactionsPerSecond * DailyRhythm.Peak / SimulationContext.MicrosecondsPerSecond;
        _nextArrival = NextArrival(_context.Now);
    }

    /// <summary>How many transactions <see cref="Next"/> has returned.</summary>
    public long Emitted => _emitted;

    /// <summary>The next transaction in event-time order (never earlier than the previous one), with its label.</summary>
    /// <returns>The transaction and its label; its <c>tx_id</c> is <c>tx_{seed}_{sequence:D10}</c>, sequence from 1.</returns>
    public SimulatedTransaction Next()
    {
        string txId = string.Create(CultureInfo.InvariantCulture, $"tx_{_seed}_{_emitted + 1:D10}");
        SimulatedTransaction next;
        if (_context.TryTakeScheduled(_nextArrival, out var scheduled))
        {
            _context.Now = scheduled.At;
            next = new(scheduled.Draft with { TxId = txId }, new Label(txId, scheduled.Scenario is not null, scheduled.Scenario));
        }
        else
        {
            _context.Now = _nextArrival;
            next = new(Everyday(txId, _nextArrival), new Label(txId, IsFraud: false));
            _nextArrival = NextArrival(_nextArrival);
        }

        _emitted++;
        StartDueEpisodes();
        return next;
    }

    /// <summary>The next everyday arrival after <paramref name="after"/>, by thinning a Poisson process at the peak rate.</summary>
    private long NextArrival(long after)
    {
        ref var random = ref _context.Random;
        long at = after;
        do
        {
            // At least a microsecond apart, the wire's precision, so that everyday times strictly increase.
            at += (long)Math.Ceiling(random.Exponential(_peakRatePerMicrosecond));
        }
        while (random.NextDouble() * DailyRhythm.Peak >= DailyRhythm.At(at));

        return at;
    }

    private void StartDueEpisodes()
    {
        for (int s = 0; s < _scenarios.Length; s++)
        {
            // The slack, redrawn after each episode, keeps episodes from starting at perfectly regular intervals.
            if (_targetShares[s] > 0 && _committed[s] + _slack[s] <= _targetShares[s] * _emitted)
            {
                int planned = _scenarios[s].Plan(_context);
                _committed[s] += planned;
                _slack[s] = _context.Random.NextDouble() * planned;
            }
        }
    }

    /// <summary>A card holder's own purchase or withdrawal, shaped by their habits and where they are.</summary>
    private Transaction Everyday(string txId, long at)
    {
        ref var random = ref _context.Random;
        var population = _context.Population;
        var user = population.SampleByActivity(ref random);
        var where = population.WhereIs(user, at);
        bool atHome = where.City == user.HomeCity;
        // Away from home people pay in person more; in the air they can only buy online.
        double ecomShare = atHome ? user.EcomShare : user.EcomShare / 2;
        double channel = random.NextDouble();
        if (where.InTransit || channel < ecomShare)
        {
            int store = random.Chance(UsualStoreShare)
                ? population.UsualStore(user, Rank(ref random, user.UsualStores))
                : random.Pick(_context.World.Online);
            int device = user.Devices > 1 && random.Chance(SecondDeviceShare) ? 1 : 0;
            return _context.Online(txId, user, store, at, _context.Purchase(user), population.Device(user, device), Cities.All[where.City].Country);
        }

        if (channel < ecomShare + user.AtmShare)
        {
            int atm = atHome && random.Chance(UsualAtmShare) ? population.UsualAtm(user) : random.Pick(_context.World.AtmsIn(where.City));
            return _context.CardPresent(txId, user, atm, at, _context.Cash(user));
        }

        int shop = atHome ? ShopAtHome(user, at) : _context.AnyShop(where.City, at);
        return _context.CardPresent(txId, user, shop, at, _context.Purchase(user));
    }

    /// <summary>Mostly one of the usual shops (the first ones most); otherwise a new one, preferably of a usual kind.</summary>
    private int ShopAtHome(in UserProfile user, long at)
    {
        ref var random = ref _context.Random;
        int usual = _context.Population.UsualShop(user, Rank(ref random, user.UsualShops));
        if (random.Chance(user.Loyalty) && !_context.IsCompromised(usual, at))
        {
            return usual;
        }

        int usualCategory = _context.World.Merchants[usual].Mcc;
        for (int attempt = 0; attempt < NewShopAttempts; attempt++)
        {
            int shop = _context.AnyShop(user.HomeCity, at);
            if (_context.World.Merchants[shop].Mcc == usualCategory)
            {
                return shop;
            }
        }

        return _context.AnyShop(user.HomeCity, at);
    }

    /// <summary>A rank in [0, count) skewed towards 0: a favourite is used more than the fifth-best.</summary>
    private static int Rank(ref SimulationRandom random, int count)
    {
        double u = random.NextDouble();
        return (int)(count * u * u);
    }
}
