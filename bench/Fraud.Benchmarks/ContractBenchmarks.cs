using System.Text;
using BenchmarkDotNet.Attributes;
using Fraud.Core;

namespace Fraud.Benchmarks;

/// <summary>Parsing and writing one transaction message, as the detector and the producer do per message.</summary>
[MemoryDiagnoser]
public class ContractBenchmarks
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes(
        """{"tx_id":"tx_000000001","user_id":4405,"amount":1881.22,"currency":"EUR","location":"ES","ts":"2025-09-13T07:46:41.314350Z","merchant_id":"m_01234","mcc":5411,"channel":"pos","device_id":"d_000099","lat":40.41,"lon":-3.70}""");

    private readonly Transaction _transaction = TransactionJson.TryParse(Message, out var parsed, out _) ? parsed : throw new InvalidOperationException();

    [Benchmark]
    public Transaction? Parse() => TransactionJson.TryParse(Message, out var transaction, out _) ? transaction : null;

    [Benchmark]
    public byte[] Serialize() => TransactionJson.SerializeToUtf8Bytes(_transaction);
}
