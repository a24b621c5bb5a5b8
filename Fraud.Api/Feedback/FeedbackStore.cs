using Fraud.Api.Labels;
using Npgsql;

namespace Fraud.Api.Feedback;

/// <summary>
/// Applies feedback to <c>fraud_alerts.status</c>, appends it to <c>alert_feedback</c> and records it as the
/// transaction's label (source <c>analyst</c>, overriding the simulator's) for the classifier, in one transaction.
/// Idempotent: when the alert's latest feedback already has this label and note, nothing is written, so a
/// retried or double-clicked post leaves one audit row and the same status.
/// </summary>
internal sealed class FeedbackStore(NpgsqlDataSource dataSource)
{
    /// <returns>The outcome, or null when no alert has <paramref name="txId"/>.</returns>
    public async Task<FeedbackResult?> ApplyAsync(string txId, string label, string status, string note, string author, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The row lock serializes concurrent feedback on one alert; the next statement then sees the winner's row.
        await using var current = new NpgsqlCommand("SELECT status FROM fraud_alerts WHERE tx_id = $1 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = txId } },
        };
        if (await current.ExecuteScalarAsync(cancellationToken) is not string previousStatus)
        {
            return null;
        }

        await using var latest = new NpgsqlCommand(
            "SELECT label, note FROM alert_feedback WHERE tx_id = $1 ORDER BY id DESC LIMIT 1", connection, transaction)
        {
            Parameters = { new() { Value = txId } },
        };
        await using (var reader = await latest.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken) && reader.GetString(0) == label && reader.GetString(1) == note)
            {
                return new FeedbackResult(txId, label, previousStatus, Changed: false);
            }
        }

        await using var write = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE fraud_alerts SET status = $2 WHERE tx_id = $1")
                {
                    Parameters = { new() { Value = txId }, new() { Value = status } },
                },
                new NpgsqlBatchCommand("""
                    INSERT INTO alert_feedback (tx_id, label, note, previous_status, status, author) VALUES ($1, $2, $3, $4, $5, $6)
                    """)
                {
                    Parameters = { new() { Value = txId }, new() { Value = label }, new() { Value = note }, new() { Value = previousStatus }, new() { Value = status }, new() { Value = author } },
                },
                LabelStore.AnalystLabel(txId, isFraud: label == "fraud"),
            },
        };
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new FeedbackResult(txId, label, status, Changed: true);
    }

    /// <summary>Every change of the alert's verdict, oldest first.</summary>
    public async Task<IReadOnlyList<FeedbackEntry>> HistoryAsync(string txId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT label, note, previous_status, status, created_at, author FROM alert_feedback WHERE tx_id = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = txId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<FeedbackEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new FeedbackEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return entries;
    }
}
