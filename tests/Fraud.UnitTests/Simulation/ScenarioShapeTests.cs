using Fraud.Core;
using Fraud.Simulation;

namespace Fraud.UnitTests.Simulation;

/// <summary>Each scenario leaves the traces its documentation promises, against the victim's own history.</summary>
public sealed class ScenarioShapeTests
{
    private static readonly ILookup<long, Transaction> ByUser = SimulationSamples.LongRun.ToLookup(t => t.Transaction.UserId, t => t.Transaction);

    private static readonly ILookup<long, Transaction> LegitimateByUser =
        SimulationSamples.LongRun.Where(t => !t.Label.IsFraud).ToLookup(t => t.Transaction.UserId, t => t.Transaction);

    /// <summary>Where each user lives: the country of most of their genuine transactions.</summary>
    private static readonly Dictionary<long, string> HomeCountries = LegitimateByUser.ToDictionary(
        user => user.Key, user => user.GroupBy(t => t.Location).MaxBy(country => country.Count())!.Key);

    [Fact]
    public void Card_testing_is_a_burst_of_tiny_amounts_then_one_large_purchase_from_a_new_device()
    {
        var episodes = Fraud(CardTesting.ScenarioName).GroupBy(t => (t.UserId, t.DeviceId)).Where(Whole).ToList();

        Assert.NotEmpty(episodes);
        foreach (var episode in episodes)
        {
            var ordered = episode.OrderBy(t => t.Ts).ToList();
            Assert.All(ordered[..^1], test => Assert.InRange(test.Amount, 0.5m, 3m));
            Assert.True(ordered[^1].Amount >= 250m, $"cash-out {ordered[^1].Amount}");
            Assert.True(ordered[^1].Ts - ordered[0].Ts < TimeSpan.FromHours(1));
            Assert.All(ordered, t => Assert.Equal(Channel.Ecom, t.Channel));
            Assert.DoesNotContain(episode.Key.DeviceId, DevicesOf(episode.Key.UserId));
        }
    }

    [Fact]
    public void A_stolen_card_spree_is_online_from_abroad_on_a_new_device_well_above_the_usual_amounts()
    {
        var episodes = Fraud(StolenCardSpree.ScenarioName).GroupBy(t => (t.UserId, t.DeviceId)).Where(Whole).ToList();

        Assert.NotEmpty(episodes);
        foreach (var episode in episodes)
        {
            Assert.InRange(episode.Count(), 3, 8);
            Assert.All(episode, t => Assert.Equal(Channel.Ecom, t.Channel));
            Assert.All(episode, t => Assert.NotEqual(HomeCountryOf(episode.Key.UserId), t.Location));
            Assert.DoesNotContain(episode.Key.DeviceId, DevicesOf(episode.Key.UserId));
            Assert.True(episode.Average(t => t.Amount) > 2 * MeanPurchaseOf(episode.Key.UserId));
        }
    }

    [Fact]
    public void An_account_takeover_shops_online_from_the_holders_country_on_a_new_device_with_inflated_amounts()
    {
        var episodes = Fraud(AccountTakeover.ScenarioName).GroupBy(t => (t.UserId, t.DeviceId)).ToList();

        Assert.NotEmpty(episodes);
        foreach (var episode in episodes)
        {
            Assert.All(episode, t => Assert.Equal(Channel.Ecom, t.Channel));
            Assert.All(episode, t => Assert.Equal(HomeCountryOf(episode.Key.UserId), t.Location));
            Assert.DoesNotContain(episode.Key.DeviceId, DevicesOf(episode.Key.UserId));
        }

        // Amounts are the holder's own times 2–5: single draws vary, the typical ratio does not.
        var ratios = episodes.Select(e => (double)(e.Average(t => t.Amount) / MeanPurchaseOf(e.Key.UserId))).Order().ToList();
        Assert.True(ratios[ratios.Count / 2] > 2, $"median ratio {ratios[ratios.Count / 2]:F2}");
    }

    [Fact]
    public void At_a_compromised_terminal_every_transaction_of_the_window_is_fraudulent()
    {
        var terminals = Fraud(CompromisedTerminal.ScenarioName).GroupBy(t => t.MerchantId).ToList();

        Assert.NotEmpty(terminals);
        foreach (var terminal in terminals)
        {
            var (from, to) = (terminal.Min(t => t.Ts), terminal.Max(t => t.Ts));
            Assert.All(terminal, t => Assert.Equal(Channel.Pos, t.Channel));
            Assert.DoesNotContain(
                SimulationSamples.LongRun,
                t => t.Transaction.MerchantId == terminal.Key && t.Transaction.Ts >= from && t.Transaction.Ts <= to && !t.Label.IsFraud);
        }
    }

    [Fact]
    public void Impossible_travel_follows_a_card_present_transaction_far_away_within_the_hour()
    {
        var clones = Fraud(ImpossibleTravel.ScenarioName).ToList();

        Assert.NotEmpty(clones);
        foreach (var clone in clones)
        {
            var before = ByUser[clone.UserId].Where(t => t.Lat is not null && t.Ts < clone.Ts && t.Ts >= clone.Ts - TimeSpan.FromHours(1));
            Assert.Contains(before, t => KilometresPerHour(t, clone) > 1_000);
        }
    }

    [Fact]
    public void A_large_outlier_is_many_times_the_holders_usual_amount()
    {
        var outliers = Fraud(LargeOutlier.ScenarioName).ToList();

        Assert.NotEmpty(outliers);
        Assert.All(outliers, t => Assert.True(t.Amount > 5 * MeanPurchaseOf(t.UserId), $"{t.Amount} vs mean {MeanPurchaseOf(t.UserId):F2}"));
    }

    [Fact]
    public void Card_holders_travel_so_a_few_percent_of_genuine_transactions_are_abroad()
    {
        var genuine = SimulationSamples.LongRun.Where(t => !t.Label.IsFraud).Select(t => t.Transaction).ToList();

        double abroad = (double)genuine.Count(t => t.Location != HomeCountryOf(t.UserId)) / genuine.Count;

        Assert.InRange(abroad, 0.01, 0.10);
    }

    /// <summary>
    /// Between cities only: arrivals are memoryless, so two genuine purchases in one city can be seconds apart, and a
    /// travel rule needs a distance floor (as real ones do: terminal coordinates are approximate).
    /// </summary>
    [Fact]
    public void Genuine_card_present_transactions_never_travel_between_cities_faster_than_a_plane()
    {
        var cardPresent = SimulationSamples.LongRun
            .Where(t => !t.Label.IsFraud && t.Transaction.Lat is not null)
            .Select(t => t.Transaction)
            .GroupBy(t => t.UserId);

        foreach (var user in cardPresent)
        {
            var ordered = user.OrderBy(t => t.Ts).ToList();
            Assert.All(ordered.Zip(ordered.Skip(1)).Where(pair => Kilometres(pair.First, pair.Second) > 100), pair =>
                Assert.True(KilometresPerHour(pair.First, pair.Second) < 900, $"{pair.First.TxId} → {pair.Second.TxId}"));
        }
    }

    /// <summary>Not cut short by the sample's start (a warmed-up episode under way) or end: hours away from both.</summary>
    private static bool Whole(IEnumerable<Transaction> episode)
    {
        var margin = TimeSpan.FromHours(6);
        var (first, last) = (SimulationSamples.LongRun[0].Transaction.Ts, SimulationSamples.LongRun[^1].Transaction.Ts);
        return episode.Min(t => t.Ts) > first + margin && episode.Max(t => t.Ts) < last - margin;
    }

    private static IEnumerable<Transaction> Fraud(string scenario) =>
        SimulationSamples.LongRun.Where(t => t.Label.Scenario == scenario).Select(t => t.Transaction);

    private static HashSet<string?> DevicesOf(long user) => [.. LegitimateByUser[user].Select(t => t.DeviceId)];

    private static string HomeCountryOf(long user) => HomeCountries[user];

    /// <summary>The holder's mean purchase (cash withdrawals excluded: they are larger by design).</summary>
    private static decimal MeanPurchaseOf(long user) => LegitimateByUser[user].Where(t => t.Channel != Channel.Atm).Average(t => t.Amount);

    private static double KilometresPerHour(Transaction from, Transaction to) => Kilometres(from, to) / (to.Ts - from.Ts).TotalHours;

    /// <summary>Great-circle distance between two card-present transactions (haversine).</summary>
    private static double Kilometres(Transaction from, Transaction to)
    {
        const double EarthRadiusKm = 6371;
        double Radians(double degrees) => degrees * Math.PI / 180;
        double dLat = Radians(to.Lat!.Value - from.Lat!.Value);
        double dLon = Radians(to.Lon!.Value - from.Lon!.Value);
        double a = Math.Pow(Math.Sin(dLat / 2), 2) + (Math.Cos(Radians(from.Lat.Value)) * Math.Cos(Radians(to.Lat.Value)) * Math.Pow(Math.Sin(dLon / 2), 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(a));
    }
}
