using System.Globalization;
using Confluent.Kafka;
using Fraud.Core;
using Microsoft.Extensions.Options;

namespace Fraud.Producer;

/// <summary>
/// Sends a steady stream of plausible transactions to <c>transactions.v1</c> (key = user_id), so that a running
/// system always has live traffic. A placeholder for the labeled simulator: users have a home country and a
/// typical amount; a small share of transactions is an outsized amount.
/// </summary>
internal sealed class LiveTrafficService(
    KafkaClientFactory kafka,
    IOptions<LiveTrafficOptions> options,
    TimeProvider time,
    ILogger<LiveTrafficService> logger) : BackgroundService
{
    private static readonly string[] Countries = ["ES", "FR", "DE", "IT", "PT", "NL", "BE", "IE", "PL", "SE"];
    private static readonly (double Lat, double Lon)[] Capitals =
        [(40.42, -3.70), (48.86, 2.35), (52.52, 13.40), (41.90, 12.50), (38.72, -9.14),
         (52.37, 4.90), (50.85, 4.35), (53.35, -6.26), (52.23, 21.01), (59.33, 18.07)];

    private readonly LiveTrafficOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        using var producer = kafka.CreateProducer<string, byte[]>();
        var random = _options.Seed is { } seed ? new Random(seed) : new Random();
        var runId = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var interval = TimeSpan.FromSeconds(1 / _options.Rate);
        using var ticker = new PeriodicTimer(interval < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : interval, time);
        var perTick = Math.Max(1, (int)Math.Round(_options.Rate / 1000));
        logger.LogInformation("Sending live traffic to {Topic} at {Rate} tx/s", _options.Topic, _options.Rate);

        long sequence = 0;
        while (await ticker.WaitForNextTickAsync(stoppingToken))
        {
            for (var i = 0; i < perTick; i++)
            {
                var transaction = Next(random, $"tx_{runId}_{++sequence:D9}");
                producer.Produce(_options.Topic, new Message<string, byte[]>
                {
                    Key = transaction.UserId.ToString(CultureInfo.InvariantCulture),
                    Value = TransactionJson.SerializeToUtf8Bytes(transaction),
                }, report =>
                {
                    if (report.Error.IsError)
                    {
                        logger.LogWarning("Transaction {TxId} not delivered: {Reason}", transaction.TxId, report.Error.Reason);
                    }
                });
            }
        }
        producer.Flush(TimeSpan.FromSeconds(5));
    }

    private Transaction Next(Random random, string txId)
    {
        var userId = random.Next(1, _options.Users + 1);
        // The user's home and typical spend are a function of the id, so they stay stable across messages.
        var home = userId % Countries.Length;
        var typical = 20 + userId % 180;
        var outlier = random.NextDouble() < _options.OutlierShare;
        var amount = outlier ? typical * (15 + random.NextDouble() * 30) : typical * Math.Exp(random.NextDouble() - 0.5);
        var (lat, lon) = Capitals[home];
        return new Transaction(
            TxId: txId,
            UserId: userId,
            Amount: Math.Round((decimal)amount, 2),
            Currency: "EUR",
            Location: Countries[home],
            Ts: time.GetUtcNow(),
            MerchantId: $"m_{random.Next(0, 2000):D5}",
            Mcc: 5411,
            Channel: random.NextDouble() < 0.6 ? Channel.Pos : Channel.Ecom,
            DeviceId: $"d_{userId:D6}",
            Lat: Math.Round(lat + (random.NextDouble() - 0.5) * 0.2, 4),
            Lon: Math.Round(lon + (random.NextDouble() - 0.5) * 0.2, 4));
    }
}
