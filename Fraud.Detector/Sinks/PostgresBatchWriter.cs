using Fraud.Detector.Merchants;
using Fraud.Detector.Pipeline;
using Npgsql;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Writes to Postgres in one round trip and one transaction: transactions counted at their merchants
/// (<see cref="MerchantCountStore"/>), alerts (<see cref="PostgresAlertStore"/>), or both; atomic, so a retry after a
/// failure writes all or nothing. The detector stores a flush's alerts, and the merchant counts of every flush since
/// the last commit just before that commit.
/// </summary>
internal sealed class PostgresBatchWriter(NpgsqlDataSource dataSource)
{
    /// <returns>How many alerts were new, and how many visits were counted (the rest had been counted before).</returns>
    public async Task<(int AlertsStored, int VisitsCounted)> WriteAsync(
        string topic, IReadOnlyList<BatchAlert> alerts, IReadOnlyList<MerchantVisit> visits, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0 && visits.Count == 0)
        {
            return (0, 0);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The commands of one batch run in one implicit transaction.
        await using var batch = new NpgsqlBatch(connection);
        // Counted first: the counting locks the partitions' positions, so two replicas that briefly share a partition
        // (a rebalance) wait there, before either inserts alerts the other might insert too.
        if (visits.Count > 0)
        {
            foreach (var command in MerchantCountStore.CountCommands(topic, visits))
            {
                batch.BatchCommands.Add(command);
            }
        }

        if (alerts.Count > 0)
        {
            batch.BatchCommands.Add(PostgresAlertStore.InsertCommand(alerts));
        }

        int counted = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The reader starts at the first statement that returns rows: the count's.
            if (visits.Count > 0 && await reader.ReadAsync(cancellationToken))
            {
                counted = checked((int)reader.GetInt64(0));
            }
        }

        return (alerts.Count > 0 ? batch.BatchCommands[^1].RecordsAffected : 0, counted);
    }
}
