using System.Globalization;
using Fraud.Core;

namespace Fraud.Simulation.Handbook;

/// <summary>
/// The simulated world of the Fraud Detection Handbook (Le Borgne, Siblini, Lebichot and Bontempi, "Reproducible
/// Machine Learning for Credit Card Fraud Detection – Practical Handbook", chapter 3, "Transaction data
/// simulator"), reproduced from its published design so that detection can be measured on data this project did
/// not design. Pure and deterministic like <see cref="TransactionSimulator"/>: the same options give the same bytes.
/// </summary>
/// <remarks>
/// <para>Every day, each customer makes a Poisson(<see cref="HandbookCustomer.MeanTransactionsPerDay"/>) number of
/// draws; a draw's time of day is normal around noon (std 20,000 s) and the draw is dropped when that falls outside
/// the day; its amount is normal with the customer's mean and std, redrawn uniform in [0, 2·mean) when negative,
/// rounded to cents; its terminal is drawn uniformly among those within reach.</para>
/// <para>Fraud, applied in the handbook's order so a later scenario's label wins: (1) an amount above 220; (2) each
/// day 2 terminals are compromised for that day and the 27 after, and all their transactions are fraud; (3) each
/// day 3 customers are compromised for that day and the 13 after, and a third (rounded down) of their transactions
/// in that window, drawn at random, are multiplied by 5 and fraud.</para>
/// <para>The handbook labels a finished table. Here days are made one at a time and emitted in time order, so
/// memory holds one day; a compromised customer's next 14 days are made ahead (each customer-day is a pure function
/// of the seed) to choose exactly a third of them.</para>
/// </remarks>
public sealed class HandbookSimulator : ISimulator
{
    /// <summary>Scenario 1: an amount above this is fraud.</summary>
    public const decimal LargeAmountThreshold = 220m;

    /// <summary>Scenario 2: terminals compromised each day.</summary>
    public const int CompromisedTerminalsPerDay = 2;

    /// <summary>Scenario 2: days a compromised terminal's transactions are fraud, the day of compromise included.</summary>
    public const int TerminalCompromiseDays = 28;

    /// <summary>Scenario 3: customers compromised each day.</summary>
    public const int CompromisedCardsPerDay = 3;

    /// <summary>Scenario 3: days over which a compromised customer's transactions may be fraud, the day of compromise included.</summary>
    public const int CardCompromiseDays = 14;

    /// <summary>Scenario 3: one transaction in this many of the compromised window is fraud.</summary>
    public const int CardFraudOneIn = 3;

    /// <summary>Scenario 3: a fraudulent transaction's amount is the genuine one times this.</summary>
    public const decimal CardFraudAmountFactor = 5m;

    /// <summary>Transaction times: normal around noon with this standard deviation, in seconds.</summary>
    public const double TimeOfDayStdSeconds = 20_000;

    private const int SecondsPerDay = 86_400;
    private const double NoonSeconds = SecondsPerDay / 2.0;

    // The grid is not geography: every transaction is in one country, in the handbook's currency-free amounts read as euros.
    private const string Country = "FR";
    private const string Currency = "EUR";

    // The smallest amount the contract accepts (> 0); the handbook's rounding can give 0.00, about once in 100,000.
    private const decimal SmallestAmount = 0.01m;

    private readonly ulong _seed;
    private readonly int _seedLabel;
    private readonly long _startTicks;
    private readonly HandbookWorld _world;
    private readonly string[] _terminalIds;

    // Scenario 2: per terminal, the first day it is no longer compromised (0: never compromised).
    private readonly int[] _terminalCompromisedUntil;

    // Scenario 3: the transactions chosen as fraud, by (customer, day, draw), with how many compromises chose them
    // (two overlapping compromises of one customer can choose the same transaction; each multiplies it by 5).
    private readonly Dictionary<(int Customer, int Day, int Draw), int> _cardFrauds = [];

    private readonly List<HandbookDraw> _today = [];
    private readonly List<HandbookDraw> _ahead = [];
    private int _day = -1;
    private int _position;
    private long _emitted;

    /// <summary>Prepares a run: lays out the world from the seed; the first transaction is made by <see cref="Next"/>.</summary>
    /// <param name="options">The run's options.</param>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="HandbookOptions.Validate"/>), or no customer has a terminal within reach.</exception>
    public HandbookSimulator(HandbookOptions options)
    {
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _seed = (ulong)options.Seed;
        _seedLabel = options.Seed;
        _startTicks = options.Start.UtcTicks;
        _world = new HandbookWorld(_seed, options.Customers, options.Terminals);
        if (Enumerable.Range(0, _world.Customers).All(c => _world.TerminalsInReach(c).IsEmpty))
        {
            // Nobody could ever pay: Next would search for a transaction forever.
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"terminals: no customer has a terminal within {HandbookWorld.Radius} of them; use more terminals"));
        }

        _terminalIds = [.. Enumerable.Range(0, _world.Terminals).Select(t => string.Create(CultureInfo.InvariantCulture, $"t_{t:D6}"))];
        _terminalCompromisedUntil = new int[_world.Terminals];
    }

    internal HandbookWorld World => _world;

    /// <inheritdoc/>
    /// <remarks>The <c>tx_id</c> is <c>tx_{seed}_{sequence:D10}</c>, sequence from 1, as in <see cref="TransactionSimulator"/>.</remarks>
    public SimulatedTransaction Next()
    {
        while (_position == _today.Count)
        {
            MakeDay(_day + 1);
        }

        var draw = _today[_position++];
        _emitted++;
        string txId = string.Create(CultureInfo.InvariantCulture, $"tx_{_seedLabel}_{_emitted:D10}");
        long ticks = _startTicks + (((long)draw.Day * SecondsPerDay) + draw.Second) * TimeSpan.TicksPerSecond;
        var (amount, scenario) = ApplyFraud(draw);
        var transaction = new Transaction(txId, draw.Customer, amount, Currency, Country, new DateTimeOffset(ticks, TimeSpan.Zero), _terminalIds[draw.Terminal]);
        return new SimulatedTransaction(transaction, Label.Of(transaction, scenario));
    }

    /// <summary>The terminals compromised on <paramref name="day"/> (scenario 2): distinct, a pure function of the seed and day.</summary>
    internal int[] TerminalsCompromisedOn(int day)
    {
        var random = SimulationRandom.For(_seed, Streams.HandbookCompromisedTerminals, (ulong)day);
        return Distinct(ref random, CompromisedTerminalsPerDay, _world.Terminals);
    }

    /// <summary>The customers compromised on <paramref name="day"/> (scenario 3): distinct, a pure function of the seed and day.</summary>
    internal int[] CardsCompromisedOn(int day)
    {
        var random = SimulationRandom.For(_seed, Streams.HandbookCompromisedCards, (ulong)day);
        return Distinct(ref random, CompromisedCardsPerDay, _world.Customers);
    }

    /// <summary>Compromises the day's terminals and cards, then makes every customer's transactions of the day, in time order.</summary>
    private void MakeDay(int day)
    {
        _day = day;
        foreach (int terminal in TerminalsCompromisedOn(day))
        {
            _terminalCompromisedUntil[terminal] = day + TerminalCompromiseDays;
        }

        CompromiseCards(day);
        _today.Clear();
        _position = 0;
        for (int customer = 0; customer < _world.Customers; customer++)
        {
            AddCustomerDay(customer, day, _today);
        }

        // The handbook sorts by time; equal seconds are ordered by customer, then draw, so the order is reproducible.
        _today.Sort(static (a, b) => (a.Second, a.Customer, a.Draw).CompareTo((b.Second, b.Customer, b.Draw)));
    }

    /// <summary>Scenario 3: for each customer compromised today, a third of their transactions of the window, drawn without replacement.</summary>
    private void CompromiseCards(int day)
    {
        var random = SimulationRandom.For(_seed, Streams.HandbookCompromisedCards, (ulong)day, 1);
        foreach (int customer in CardsCompromisedOn(day))
        {
            _ahead.Clear();
            for (int d = day; d < day + CardCompromiseDays; d++)
            {
                AddCustomerDay(customer, d, _ahead);
            }

            int frauds = _ahead.Count / CardFraudOneIn;
            // A partial Fisher–Yates shuffle: the first `frauds` places end up a uniform sample without replacement.
            for (int i = 0; i < frauds; i++)
            {
                int j = i + random.NextInt(_ahead.Count - i);
                (_ahead[i], _ahead[j]) = (_ahead[j], _ahead[i]);
                var chosen = (_ahead[i].Customer, _ahead[i].Day, _ahead[i].Draw);
                _cardFrauds[chosen] = _cardFrauds.GetValueOrDefault(chosen) + 1;
            }
        }
    }

    /// <summary>One customer's transactions of one day, before fraud: a pure function of (seed, customer, day).</summary>
    private void AddCustomerDay(int customer, int day, List<HandbookDraw> into)
    {
        var terminals = _world.TerminalsInReach(customer);
        if (terminals.IsEmpty)
        {
            return;
        }

        var profile = _world.Customer(customer);
        var random = SimulationRandom.For(_seed, Streams.HandbookCustomerDay, (ulong)customer, (ulong)day);
        int draws = random.Poisson(profile.MeanTransactionsPerDay);
        int kept = 0;
        for (int i = 0; i < draws; i++)
        {
            // Whole seconds, truncated towards zero as the handbook's int() does; a time outside the day is dropped, not clipped.
            int second = (int)(NoonSeconds + (TimeOfDayStdSeconds * random.Normal()));
            if (second <= 0 || second >= SecondsPerDay)
            {
                continue;
            }

            double amount = profile.MeanAmount + (profile.StdAmount * random.Normal());
            if (amount < 0)
            {
                amount = random.Between(0, 2 * profile.MeanAmount);
            }

            int terminal = terminals[random.NextInt(terminals.Length)];
            into.Add(new HandbookDraw(day, second, customer, kept++, terminal, Math.Max(SmallestAmount, Math.Round((decimal)amount, 2))));
        }
    }

    /// <summary>The transaction's final amount and scenario, the scenarios applied in the handbook's order (the last that applies names it).</summary>
    private (decimal Amount, string? Scenario) ApplyFraud(in HandbookDraw draw)
    {
        decimal amount = draw.Amount;
        string? scenario = null;
        if (amount > LargeAmountThreshold)
        {
            scenario = HandbookScenarios.LargeAmount;
        }

        if (_terminalCompromisedUntil[draw.Terminal] > draw.Day)
        {
            scenario = HandbookScenarios.CompromisedTerminal;
        }

        if (_cardFrauds.Remove((draw.Customer, draw.Day, draw.Draw), out int times))
        {
            for (int i = 0; i < times; i++)
            {
                amount *= CardFraudAmountFactor;
            }

            scenario = HandbookScenarios.CompromisedCard;
        }

        return (amount, scenario);
    }

    /// <summary><paramref name="count"/> distinct values in [0, <paramref name="of"/>) (fewer when there are fewer), by rejection: counts are tiny.</summary>
    private static int[] Distinct(ref SimulationRandom random, int count, int of)
    {
        var chosen = new int[Math.Min(count, of)];
        for (int i = 0; i < chosen.Length; i++)
        {
            do
            {
                chosen[i] = random.NextInt(of);
            }
            while (chosen.AsSpan(0, i).Contains(chosen[i]));
        }

        return chosen;
    }
}

/// <summary>A transaction as a customer's day makes it, before fraud: <see cref="Draw"/> numbers the customer's transactions of the day.</summary>
internal readonly record struct HandbookDraw(int Day, int Second, int Customer, int Draw, int Terminal, decimal Amount);
