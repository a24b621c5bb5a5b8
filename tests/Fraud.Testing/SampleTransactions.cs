using Fraud.Core;

namespace Fraud.Testing;

/// <summary>Transactions for detection tests: one plain purchase, varied with <c>with</c> expressions.</summary>
public static class SampleTransactions
{
    /// <summary>Wednesday 10 September 2025, noon UTC.</summary>
    public static readonly DateTimeOffset Noon = new(2025, 9, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A 20 EUR card-present grocery purchase in Madrid by user 1 at <see cref="Noon"/>.</summary>
    public static readonly Transaction Purchase = new(
        TxId: "tx_1",
        UserId: 1,
        Amount: 20m,
        Currency: "EUR",
        Location: "ES",
        Ts: Noon,
        MerchantId: "m_grocer",
        Mcc: 5411,
        Channel: Channel.Pos,
        DeviceId: "d_terminal",
        Lat: 40.4168,
        Lon: -3.7038);

    /// <summary><see cref="Purchase"/> of <paramref name="amount"/>, <paramref name="after"/> noon.</summary>
    public static Transaction At(TimeSpan after, decimal amount = 20m) => Purchase with { Ts = Noon + after, Amount = amount };
}
