using System.Diagnostics;
using Fraud.Core.Features;
using Fraud.Detector.Health;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Merchants;

/// <summary>
/// The merchant risk the detector reads, built from the shared day counts (<see cref="MerchantCountStore"/>) for the
/// stream's newest UTC day. A transaction on day d reads only whole days up to d − delay − 1 and the hours of d − delay
/// before its own, which every replica finished counting long before, so a table built for day d gives every replica the
/// offline values, as far as labels had arrived; a table built for a later day serves earlier days the same.
/// <para>
/// Builds run in the background, never on the consume loop's path while a table in hand serves: the next day's table
/// is built as soon as this day's is in (and adopted when ready, since it serves this day too), and every
/// <see cref="DetectorOptions.MerchantRiskRefresh"/> the table is rebuilt whole for late labels. The next day's table is
/// the table in hand plus the one day of hours its windows newly reach, added on the loop's thread; it is built whole
/// instead when the store's totals per day show that a day the table holds was counted further or had a fraud label
/// come or go since. Only when the stream reaches a day no table in hand serves (the first batch, a delay changed, a
/// prefetch that failed) does the loop wait for one.
/// </para>
/// When Postgres cannot answer, the table in hand stays (stale, never wrong in kind) and the load is retried 10 s
/// later; if the delay asked for changed, an empty table of that delay (every merchant reads the prior) stands in.
/// </summary>
internal sealed class MerchantRiskSource(
    MerchantCountStore store, DetectorMetrics metrics, SinkHealth health, TimeProvider time, IOptions<DetectorOptions> options, ILogger<MerchantRiskSource> logger)
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private MerchantRiskBuild? _current;
    private DateOnly _loadedFor;
    private DateTimeOffset _due;
    private DateTimeOffset _retryAt;
    private Task<Update>? _building;
    private DateOnly _buildingFor;

    /// <summary>
    /// The merchant risk for transactions up to <paramref name="newestDay"/> with the given label delay: the table in
    /// hand when it serves them, a table built (or the next day's counts read) in the background once it is ready, else
    /// one built now.
    /// </summary>
    /// <param name="newestDay">The newest UTC day among the transactions about to be decided.</param>
    /// <param name="labelDelay">The delay of the classifier that reads it (the default when none does).</param>
    public async Task<MerchantRisk> CurrentAsync(DateOnly newestDay, TimeSpan labelDelay, CancellationToken cancellationToken)
    {
        if (_building is { IsCompleted: true } built)
        {
            _building = null;
            Adopt(built, _buildingFor, labelDelay);
        }

        if (_current is null || newestDay > _loadedFor || _current.Table.Options.LabelDelay != labelDelay)
        {
            var load = _building is not null && _buildingFor == newestDay ? _building : Build(newestDay, labelDelay, _current, cancellationToken);
            _building = null;
            await Task.WhenAny(load);
            Adopt(load, newestDay, labelDelay);
            if (load.IsCompletedSuccessfully && _current!.Day < newestDay)
            {
                // The next day's counts came for a table no longer in hand: build the day's table whole.
                load = Build(newestDay, labelDelay, basis: null, cancellationToken);
                await Task.WhenAny(load);
                Adopt(load, newestDay, labelDelay);
            }

            _loadedFor = newestDay;   // after a failure the table in hand serves until the retry
            _due = time.GetUtcNow() + options.Value.MerchantRiskRefresh;
        }

        var now = time.GetUtcNow();
        if (_building is null && now >= _retryAt && (now >= _due || _loadedFor <= newestDay))
        {
            // A refresh of the day in hand when due (late labels), else the next day's table ahead of time: the table in
            // hand plus the day its windows newly reach, unless the store counted more for a day it holds.
            bool refresh = now >= _due;
            _buildingFor = refresh ? _loadedFor : _loadedFor.AddDays(1);
            _due = now + options.Value.MerchantRiskRefresh;
            _building = Build(_buildingFor, labelDelay, basis: refresh ? null : _current, CancellationToken.None);
        }

        metrics.MerchantsTracked(_current!.Table.TrackedMerchants);
        return _current.Table;
    }

    /// <summary>
    /// The table for <paramref name="day"/>: the next day's counts for <paramref name="basis"/> when it is the table of the
    /// day before with the same delay and nothing it holds was counted further, else (no basis, too) a whole table.
    /// </summary>
    private async Task<Update> Build(DateOnly day, TimeSpan labelDelay, MerchantRiskBuild? basis, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        if (basis is not null && basis.Day.AddDays(1) == day && basis.Table.Options.LabelDelay == labelDelay
            && await store.LoadNextDayAsync(basis, cancellationToken) is { } next)
        {
            metrics.MerchantRiskLoaded("next_day", Stopwatch.GetElapsedTime(started));
            logger.LogDebug("Merchant risk for {Day}: {Hours} merchant hours added, in {Elapsed}", day, next.Hours.Count, Stopwatch.GetElapsedTime(started));
            return new Update(basis, next, null);
        }

        var loaded = await store.LoadAsync(new MerchantRiskOptions { LabelDelay = labelDelay }, day, cancellationToken);
        metrics.MerchantRiskLoaded("whole", Stopwatch.GetElapsedTime(started));
        logger.LogDebug("Merchant risk loaded for {Day}: {Merchants} merchants in {Elapsed}", day, loaded.Table.TrackedMerchants, Stopwatch.GetElapsedTime(started));
        return new Update(null, null, loaded);
    }

    /// <summary>
    /// Takes a finished build when it suits the delay and is no older than the table in hand (the next day's counts only
    /// for the table they were read for); a failed one leaves the table in hand.
    /// </summary>
    private void Adopt(Task<Update> build, DateOnly day, TimeSpan labelDelay)
    {
        if (build.IsCompletedSuccessfully)
        {
            var update = build.Result;
            if (update.NextDay is { } next)
            {
                if (_current is not null && ReferenceEquals(update.Basis, _current) && _current.Table.Options.LabelDelay == labelDelay)
                {
                    _current = _current.Extend(next);
                    _loadedFor = next.Day;
                    health.Succeeded("merchant_risk");
                }
            }
            else if (update.Whole is { } loaded && loaded.Table.Options.LabelDelay == labelDelay
                && (_current is null || _current.Table.Options.LabelDelay != labelDelay || day >= _loadedFor))
            {
                (_current, _loadedFor) = (loaded, day);
                health.Succeeded("merchant_risk");
            }

            return;
        }

        var exception = build.Exception?.InnerException;
        if (exception is not (NpgsqlException or TimeoutException))
        {
            build.GetAwaiter().GetResult();   // a bug, not an outage: let it surface
        }

        _retryAt = time.GetUtcNow() + RetryAfterFailure;
        metrics.SinkFailed("merchant_risk");
        health.Failed("merchant_risk", exception!.Message);
        logger.LogWarning("Merchant risk not built for {Day}, reading the previous table: {Reason}", day, exception.Message);
        // The table in hand serves only the delay it was built for: a classifier swapped to another delay reads
        // the prior until a load succeeds, never windows shifted by the wrong delay.
        if (_current is null || _current.Table.Options.LabelDelay != labelDelay)
        {
            var empty = new MerchantRisk(new MerchantRiskOptions { LabelDelay = labelDelay });
            _current = new MerchantRiskBuild(DateOnly.MinValue, empty, new Dictionary<DateOnly, DayTotal>());
        }
    }

    /// <summary>What a background build brings: the next day's counts for the table it read them for, or a whole table.</summary>
    private sealed record Update(MerchantRiskBuild? Basis, MerchantRiskNextDay? NextDay, MerchantRiskBuild? Whole);
}
