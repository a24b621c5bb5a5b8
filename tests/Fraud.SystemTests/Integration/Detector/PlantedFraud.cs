using Fraud.Core;

namespace Fraud.SystemTests.Integration.Detector;

/// <summary>
/// Hand-built card holders for detection tests with the shipped rules (<c>docs/detection.md</c>), three consecutive
/// user ids from <c>firstUser</c>, each with a week of ordinary grocery shopping in Madrid first:
/// <list type="bullet">
/// <item>card testing: four charges of at most 2.00 online within five minutes, then 480.00 (<c>card_testing</c>
/// 0.7 and <c>velocity_10m</c> 0.35 alone give a risk above the 0.8 alert threshold);</item>
/// <item>impossible travel: a purchase in Madrid, then 40 minutes later 650.00 at a jeweller in New York
/// (<c>impossible_travel</c> 0.6, <c>new_country_high_amount</c> 0.4, <c>high_risk_mcc</c> 0.15);</item>
/// <item>a control who keeps shopping as before, which no rule and not the forest should flag.</item>
/// </list>
/// </summary>
internal sealed record PlantedFraud(IReadOnlyList<Transaction> CardTesting, IReadOnlyList<Transaction> ImpossibleTravel, IReadOnlyList<Transaction> Control)
{
    public Transaction CardTestingCashOut => CardTesting[^1];

    public Transaction ImpossibleTrip => ImpossibleTravel[^1];

    public long ControlUser => Control[0].UserId;

    /// <summary>Everyone's transactions, in event-time order (the detector decides each user's in the order sent).</summary>
    public IEnumerable<Transaction> All => CardTesting.Concat(ImpossibleTravel).Concat(Control).OrderBy(transaction => transaction.Ts);

    /// <param name="firstUser">The card-testing user; the impossible traveller and the control follow.</param>
    /// <param name="run">Makes the tx_ids unique to this run.</param>
    /// <param name="attack">When the attacks begin. Recent, so live traffic stamped now leaves the users' history be: the
    /// detector forgets users idle for 30 days before the newest event time it has seen.</param>
    public static PlantedFraud For(long firstUser, string run, DateTimeOffset attack)
    {
        var cardTesting = OrdinaryWeek(firstUser, run, attack)
            .Concat(new[] { 1.00m, 1.50m, 0.99m, 1.20m }.Select((amount, i) =>
                Online(firstUser, $"tx_{run}_ct_probe{i}", attack + TimeSpan.FromMinutes(i), amount, "m_giftcards", 5815)))
            .Append(Online(firstUser, $"tx_{run}_ct_cashout", attack + TimeSpan.FromMinutes(6), 480.00m, "m_electronics", 5732))
            .ToList();

        long traveller = firstUser + 1;
        var impossibleTravel = OrdinaryWeek(traveller, run, attack)
            .Append(Shopping(traveller, $"tx_{run}_it_home", attack - TimeSpan.FromMinutes(10), 31.40m))
            .Append(Shopping(traveller, $"tx_{run}_it_trip", attack + TimeSpan.FromMinutes(30), 650.00m) with
            {
                Location = "US",
                MerchantId = "m_ny_jeweller",
                Mcc = 5944,
                Lat = 40.7128,
                Lon = -74.0060,
            })
            .ToList();

        long control = firstUser + 2;
        var ordinary = OrdinaryWeek(control, run, attack)
            .Append(Shopping(control, $"tx_{run}_ctl_noon", attack - TimeSpan.FromMinutes(20), 27.80m))
            .Append(Shopping(control, $"tx_{run}_ctl_evening", attack + TimeSpan.FromHours(6), 44.15m))
            .ToList();
        return new PlantedFraud(cardTesting, impossibleTravel, ordinary);
    }

    /// <summary>Seven days of groceries in Madrid before the attack, one purchase a day two hours before to seven hours after its time of day, 18 to 60 EUR.</summary>
    private static IEnumerable<Transaction> OrdinaryWeek(long user, string run, DateTimeOffset attack) =>
        Enumerable.Range(1, 7).Select(day => Shopping(user, $"tx_{run}_{user}_day{day}",
            attack.AddDays(day - 8).AddHours(-2 + day % 4 * 3), 18m + day * 6.25m));

    private static Transaction Shopping(long user, string txId, DateTimeOffset ts, decimal amount) =>
        SampleTransactions.Purchase with { TxId = txId, UserId = user, Ts = ts, Amount = amount, DeviceId = $"d_card_{user}" };

    private static Transaction Online(long user, string txId, DateTimeOffset ts, decimal amount, string merchant, int mcc) =>
        SampleTransactions.Purchase with
        {
            TxId = txId,
            UserId = user,
            Ts = ts,
            Amount = amount,
            MerchantId = merchant,
            Mcc = mcc,
            Channel = Channel.Ecom,
            DeviceId = $"d_browser_{user}",
            Lat = null,
            Lon = null,
        };
}
