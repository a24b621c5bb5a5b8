using System.Globalization;
using Fraud.Core;

namespace Fraud.Simulation;

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
/// times. At any moment some of a scenario's fraud is still to come; so that runs do not start without that
/// backlog, the world is warmed up: the episodes of the days before the start are planned too, and their
/// transactions from the start on are kept. The shares therefore hold from the first day of a run.</para>
/// </remarks>
public sealed class TransactionSimulator : ISimulator
{
    // Everyday habits not tied to one user.
    private const double UsualStoreShare = 0.75;
    private const double UsualAtmShare = 0.8;
    private const double SecondDeviceShare = 0.3;
    private const int NewShopAttempts = 20;

    // The warm-up walks the days before the start in steps this long, adding the traffic expected in each.
    private static readonly long WarmUpStep = SimulationContext.ToMicroseconds(TimeSpan.FromMinutes(1));

    private readonly SimulationContext _context;
    private readonly int _seed;
    private readonly FraudScenario[] _scenarios;
    private readonly double[] _targetShares;
    private readonly EpisodeControl _control;
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
        _peakRatePerMicrosecond = options.MeanTransactionsPerSecond * DailyRhythm.Peak / SimulationContext.MicrosecondsPerSecond;
        StartFraudAlreadyUnderWay(options);
        _control = new EpisodeControl(_scenarios.Length, ref _context.Random);
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
            var transaction = scheduled.Draft with { TxId = txId };
            next = new(transaction, Label.Of(transaction, scheduled.Scenario));
        }
        else
        {
            _context.Now = _nextArrival;
            var transaction = Everyday(txId, _nextArrival);
            next = new(transaction, Label.Of(transaction, scenario: null));
            _nextArrival = NextArrival(_nextArrival);
        }

        _emitted++;
        StartDueEpisodes(_control, _emitted);
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

    /// <summary>
    /// Starts every episode due: a scenario whose fraud (emitted or scheduled) is below its share of
    /// <paramref name="transactions"/> starts one, until it is not.
    /// </summary>
    private void StartDueEpisodes(EpisodeControl control, double transactions)
    {
        for (int s = 0; s < _scenarios.Length; s++)
        {
            while (_targetShares[s] > 0 && control.Committed[s] + control.Slack[s] <= _targetShares[s] * transactions)
            {
                int planned = _scenarios[s].Plan(_context);
                control.Committed[s] += planned;
                // Redrawn after each episode, so that episodes do not start at perfectly regular intervals.
                control.Slack[s] = _context.Random.NextDouble() * planned;
                if (planned == 0)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Plans the fraud of the days before the start (as long as the longest episode) at the pace of the traffic
    /// expected then, and keeps only what falls from the start on: the world was already running, so frauds that
    /// last days are under way on the first day rather than missing from it.
    /// </summary>
    private void StartFraudAlreadyUnderWay(SimulationOptions options)
    {
        if (_scenarios.Length == 0 || options.FraudRate == 0)
        {
            return;
        }

        long start = _context.Now;
        long warmUp = SimulationContext.ToMicroseconds(_scenarios.Max(s => s.LongestEpisode));
        // Everyday traffic plus the fraud on top of it, per microsecond of an average hour.
        double perMicrosecond = options.MeanTransactionsPerSecond / (1 - options.FraudRate) / SimulationContext.MicrosecondsPerSecond;
        var control = new EpisodeControl(_scenarios.Length, ref _context.Random);
        double expected = 0;
        for (long at = start - warmUp; at < start; at += WarmUpStep)
        {
            _context.Now = at;
            expected += perMicrosecond * DailyRhythm.At(at) * WarmUpStep;
            StartDueEpisodes(control, expected);
        }

        _context.DropScheduledBefore(start);
        _context.Now = start;
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

    /// <summary>Per scenario: fraudulent transactions planned so far, and the slack before the next episode.</summary>
    private sealed class EpisodeControl
    {
        public EpisodeControl(int scenarios, ref SimulationRandom random)
        {
            Committed = new long[scenarios];
            Slack = new double[scenarios];
            for (int i = 0; i < scenarios; i++)
            {
                Slack[i] = random.NextDouble();
            }
        }

        public long[] Committed { get; }

        public double[] Slack { get; }
    }

    /// <summary>A rank in [0, count) skewed towards 0: a favourite is used more than the fifth-best.</summary>
    private static int Rank(ref SimulationRandom random, int count)
    {
        double u = random.NextDouble();
        return (int)(count * u * u);
    }
}
