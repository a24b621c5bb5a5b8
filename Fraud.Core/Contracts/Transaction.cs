namespace Fraud.Core;

/// <summary>
/// One card transaction, as published on <c>transactions.v1</c> (key = user id) and written one per line in JSONL
/// files. <see cref="TransactionJson"/> reads and writes it; a parsed transaction has passed the contract's checks.
/// </summary>
/// <param name="TxId">Unique transaction id, 1–64 characters (<c>tx_id</c>).</param>
/// <param name="UserId">Card holder, a non-negative integer (<c>user_id</c>).</param>
/// <param name="Amount">Amount in <paramref name="Currency"/>, greater than 0; its decimal scale is kept on the wire.</param>
/// <param name="Currency">ISO-4217 code, <c>"EUR"</c> when the message has none.</param>
/// <param name="Location">Country as an ISO-3166 alpha-2 code, e.g. <c>"ES"</c>.</param>
/// <param name="Ts">When it happened, in UTC; the wire keeps microseconds.</param>
/// <param name="MerchantId">Merchant, when known (<c>merchant_id</c>).</param>
/// <param name="Mcc">Merchant category code, 0–9999, when known.</param>
/// <param name="Channel">Point of sale, online or ATM, when known.</param>
/// <param name="DeviceId">Card reader or browser fingerprint, when known (<c>device_id</c>).</param>
/// <param name="Lat">Latitude in degrees [-90, 90]; present exactly when <paramref name="Lon"/> is.</param>
/// <param name="Lon">Longitude in degrees [-180, 180]; present exactly when <paramref name="Lat"/> is.</param>
public sealed record Transaction(
    string TxId,
    long UserId,
    decimal Amount,
    string Currency,
    string Location,
    DateTimeOffset Ts,
    string? MerchantId = null,
    int? Mcc = null,
    Channel? Channel = null,
    string? DeviceId = null,
    double? Lat = null,
    double? Lon = null);
