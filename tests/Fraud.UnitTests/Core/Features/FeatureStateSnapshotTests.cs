using System.Buffers;
using System.Buffers.Binary;
using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Simulation;
using Fraud.UnitTests.Simulation;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

public sealed class FeatureStateSnapshotTests
{
    /// <summary>A small population, so that users come back often: full rings, several devices and merchants each.</summary>
    private static readonly Lazy<List<Transaction>> Stream = new(() =>
        [.. SimulationSamples.Generate(new SimulationOptions { Seed = 5, Users = 60, FraudRate = 0.05 }, 4_000).Select(s => s.Transaction)]);

    private static Transaction ByUser(long user, TimeSpan after, decimal amount = 20m) => At(after, amount) with { UserId = user };

    private static FeatureState Fed(IEnumerable<Transaction> transactions, FeatureStateOptions? options = null)
    {
        var state = new FeatureState(options);
        var features = new float[FeatureSchema.Count];
        foreach (var transaction in transactions)
        {
            state.Update(transaction, features);
        }

        return state;
    }

    private static byte[] Export(FeatureState state, long userId)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(state.TryExport(userId, buffer), $"user {userId} is tracked");
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The features of every transaction, as raw bits, so that equality is bit for bit.</summary>
    private static int[][] FeatureBits(FeatureState state, IEnumerable<Transaction> transactions)
    {
        var features = new float[FeatureSchema.Count];
        return [.. transactions.Select(transaction =>
        {
            state.Update(transaction, features);
            return features.Select(BitConverter.SingleToInt32Bits).ToArray();
        })];
    }

    [Fact]
    public void A_state_restored_from_snapshots_continues_with_bit_identical_features()
    {
        var stream = Stream.Value;
        int split = stream.Count / 2;
        var uninterrupted = Fed(stream.Take(split));
        var before = Fed(stream.Take(split));

        // Users are restored from the least to the most recently active, as the state had them.
        var users = stream.Take(split).Select(t => t.UserId).Reverse().Distinct().Reverse().ToList();
        var restored = new FeatureState();
        foreach (long user in users)
        {
            Assert.True(restored.TryImport(user, Export(before, user)), $"user {user} is restored");
        }

        Assert.Equal(users.Count, restored.TrackedUsers);
        Assert.All(users, user => Assert.Equal(Export(before, user), Export(restored, user)));
        Assert.Equal(FeatureBits(uninterrupted, stream.Skip(split)), FeatureBits(restored, stream.Skip(split)));
        Assert.All(users, user => Assert.Equal(Export(uninterrupted, user), Export(restored, user)));
    }

    [Fact]
    public void The_stream_exercises_what_a_snapshot_holds()
    {
        var firstHalf = Stream.Value.Take(Stream.Value.Count / 2).ToList();
        var state = Fed(firstHalf);
        var lengths = firstHalf.Select(t => t.UserId).Distinct().Select(user => Export(state, user).Length).ToList();

        Assert.Contains(lengths, length => length > 500); // full rings, several devices and merchants
        Assert.True(firstHalf[^1].Ts - firstHalf[0].Ts > TimeSpan.FromDays(7), "the 7-day window fills and moves on");
    }

    [Fact]
    public void A_snapshot_grows_with_what_is_remembered_up_to_its_maximum()
    {
        var state = new FeatureState();
        state.Track(ByUser(1, TimeSpan.Zero));
        int fresh = Export(state, 1).Length;
        for (int i = 0; i < 40; i++)
        {
            // Every 18 h: the last one is on the 30th day after the first, so every day bucket is written.
            state.Update(ByUser(1, TimeSpan.FromHours(18 * i)) with
            {
                Location = i % 2 == 0 ? $"A{(char)('A' + (i % 20))}" : "ES",
                DeviceId = $"d_{i}",
                MerchantId = $"m_{i}",
            }, new float[FeatureSchema.Count]);
        }

        Assert.Equal(59, fresh);
        Assert.Equal(FeatureState.MaxSnapshotLength, Export(state, 1).Length);
        Assert.Equal(955, FeatureState.MaxSnapshotLength);
    }

    [Fact]
    public void A_user_who_is_not_tracked_is_not_exported()
    {
        var buffer = new ArrayBufferWriter<byte>();

        Assert.False(new FeatureState().TryExport(1, buffer));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Exporting_allocates_nothing_beyond_the_buffer()
    {
        var state = Fed(Stream.Value.Take(1_000));
        var users = Stream.Value.Take(1_000).Select(t => t.UserId).Distinct().ToArray();
        var buffer = new ArrayBufferWriter<byte>(users.Length * FeatureState.MaxSnapshotLength);
        state.TryExport(users[0], buffer); // warms the code up
        buffer.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (long user in users)
        {
            state.TryExport(user, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Where the day buckets start in the snapshot of the three located transactions below: header 13, history count
    /// 4, last time 8, amount statistics 24, flags 1, location 24, then the ring's count byte and 3 × 12 bytes.
    /// </summary>
    private const int DayBucketsAt = 13 + 4 + 8 + 24 + 1 + 24 + 1 + (3 * 12);

    public static TheoryData<string, Func<byte[], byte[]>> Unreadable => new()
    {
        { "empty", _ => [] },
        { "cut short", snapshot => snapshot[..^1] },
        { "with a byte too many", snapshot => [.. snapshot, 0] },
        { "the format version before the day buckets", snapshot => With(snapshot, 0, 1) },
        { "another format version", snapshot => With(snapshot, 0, 3) },
        { "another layout of the history", snapshot => With(snapshot, 1, (byte)(snapshot[1] ^ 1)) },
        { "a flipped byte", snapshot => With(snapshot, 40, (byte)(snapshot[40] ^ 0x10)) },
        { "another user's", snapshot => Resealed(With(snapshot, 5, (byte)(snapshot[5] ^ 1))) },
        { "more recent transactions than the history holds", snapshot => Resealed(With(snapshot, 13, 1)) },
        { "more days than the buckets hold", snapshot => Resealed(With(snapshot, DayBucketsAt, 31)) },
        { "more transactions in the day buckets than the history holds", snapshot => Resealed(With(snapshot, DayBucketsAt + 1, 4)) },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void An_unreadable_snapshot_is_refused_and_changes_nothing(string what, Func<byte[], byte[]> damage)
    {
        var source = Fed([ByUser(1, TimeSpan.Zero), ByUser(1, TimeSpan.FromMinutes(1)), ByUser(1, TimeSpan.FromMinutes(2))]);
        var target = Fed([ByUser(1, TimeSpan.Zero), ByUser(2, TimeSpan.FromMinutes(1))]);

        Assert.False(target.TryImport(1, damage(Export(source, 1))), what);

        Assert.Equal(2, target.TrackedUsers);
        Assert.Equal(1, target.Track(ByUser(1, TimeSpan.FromMinutes(3))).Count);
    }

    [Fact]
    public void A_snapshot_idle_past_the_timeout_is_refused_so_the_user_starts_afresh()
    {
        var options = new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(1) };
        var snapshot = Export(Fed([ByUser(1, TimeSpan.Zero)], options), 1);
        var target = Fed([ByUser(2, TimeSpan.FromDays(1) + TimeSpan.FromTicks(1))], options);

        Assert.False(target.TryImport(1, snapshot));
        Assert.False(target.Contains(1));
    }

    [Fact]
    public void A_snapshot_exactly_at_the_timeout_is_restored()
    {
        var options = new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(1) };
        var snapshot = Export(Fed([ByUser(1, TimeSpan.Zero)], options), 1);
        var target = Fed([ByUser(2, TimeSpan.FromDays(1))], options);

        Assert.True(target.TryImport(1, snapshot));
        Assert.Equal(1, target.Track(ByUser(1, TimeSpan.FromDays(1))).Count);
    }

    [Fact]
    public void Importing_replaces_the_users_history()
    {
        var snapshot = Export(Fed([ByUser(1, TimeSpan.Zero), ByUser(1, TimeSpan.FromMinutes(1))]), 1);
        var target = Fed(Enumerable.Range(0, 5).Select(i => ByUser(1, TimeSpan.FromMinutes(i))));

        Assert.True(target.TryImport(1, snapshot));

        Assert.Equal(1, target.TrackedUsers);
        Assert.Equal(2, target.Track(ByUser(1, TimeSpan.FromMinutes(5))).Count);
    }

    [Fact]
    public void Importing_into_a_full_state_forgets_the_least_recently_active_user()
    {
        var snapshot = Export(Fed([ByUser(3, TimeSpan.Zero)]), 3);
        var target = Fed([ByUser(1, TimeSpan.Zero), ByUser(2, TimeSpan.FromMinutes(1))], new FeatureStateOptions { MaxUsers = 2 });

        Assert.True(target.TryImport(3, snapshot));

        Assert.Equal(2, target.TrackedUsers);
        Assert.Equal(1, target.ForgottenUsers);
        Assert.Equal([false, true, true], [target.Contains(1), target.Contains(2), target.Contains(3)]);
    }

    [Fact]
    public void An_imported_user_counts_as_the_most_recently_active()
    {
        var snapshot = Export(Fed([ByUser(3, TimeSpan.Zero)]), 3);
        var target = Fed([ByUser(1, TimeSpan.FromMinutes(1)), ByUser(2, TimeSpan.FromMinutes(2))], new FeatureStateOptions { MaxUsers = 2 });
        target.TryImport(3, snapshot);

        target.Update(ByUser(4, TimeSpan.FromMinutes(3)), new float[FeatureSchema.Count]);

        Assert.Equal([false, true, true], [target.Contains(2), target.Contains(3), target.Contains(4)]);
    }

    [Fact]
    public void Importing_a_tracked_user_into_a_full_state_forgets_no_one()
    {
        var snapshot = Export(Fed([ByUser(2, TimeSpan.Zero)]), 2);
        var target = Fed([ByUser(1, TimeSpan.Zero), ByUser(2, TimeSpan.FromMinutes(1))], new FeatureStateOptions { MaxUsers = 2 });

        Assert.True(target.TryImport(2, snapshot));

        Assert.Equal(2, target.TrackedUsers);
        Assert.Equal(0, target.ForgottenUsers);
    }

    [Fact]
    public void A_forgotten_user_is_no_longer_tracked_and_comes_back_with_an_empty_history()
    {
        var state = Fed([ByUser(1, TimeSpan.Zero), ByUser(2, TimeSpan.Zero)]);

        Assert.True(state.Forget(1));

        Assert.False(state.Contains(1));
        Assert.False(state.Forget(1));
        Assert.Equal(1, state.TrackedUsers);
        Assert.Equal(0, state.ForgottenUsers); // it counts only what the state forgets on its own
        Assert.Equal(0, state.Track(ByUser(1, TimeSpan.FromMinutes(1))).Count);
    }

    [Fact]
    public void Clearing_leaves_a_state_as_new_but_for_its_forgotten_count()
    {
        var state = Fed([ByUser(1, TimeSpan.Zero), ByUser(2, TimeSpan.FromDays(40))]);
        var old = Export(Fed([ByUser(3, TimeSpan.Zero)]), 3);

        state.Clear();

        Assert.Equal(0, state.TrackedUsers);
        Assert.False(state.Contains(2));
        Assert.Equal(1, state.ForgottenUsers); // user 1, idle before the clear
        Assert.True(state.TryImport(3, old)); // no newest event time left to make it idle
    }

    [Fact]
    public void The_snapshot_layout_is_pinned_to_the_fields_of_a_users_history()
    {
        // If this fails, UserActivity's fields changed: write and read the new ones in UserActivity.Snapshot.cs, check
        // the round-trip test above, then pin the new value. Older snapshots are refused from then on.
        Assert.Equal(0x0EAFD0C5u, UserActivity.Layout);
    }

    private static byte[] With(byte[] snapshot, int index, byte value)
    {
        var copy = snapshot.ToArray();
        copy[index] = value;
        return copy;
    }

    /// <summary>Recomputes the checksum, so that only the damage inside is left to find.</summary>
    private static byte[] Resealed(byte[] snapshot)
    {
        uint hash = 2166136261;
        foreach (byte b in snapshot.AsSpan(0, snapshot.Length - 4))
        {
            hash = (hash ^ b) * 16777619;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(snapshot.AsSpan(snapshot.Length - 4), hash);
        return snapshot;
    }
}
