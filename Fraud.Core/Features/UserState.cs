namespace Fraud.Core.Features;

/// <summary>
/// One tracked user: its id, its place in <see cref="FeatureState"/>'s least-recently-active list, and its
/// <see cref="UserActivity"/>. Recycled in place when the state is full, so a full state allocates nothing.
/// </summary>
internal sealed class UserState(long userId, long firstSeenTicks)
{
    public long UserId { get; private set; } = userId;

    public UserActivity Activity = UserActivity.FirstSeenAt(firstSeenTicks);

    public UserState? MoreRecent { get; set; }

    public UserState? LessRecent { get; set; }

    /// <summary>Forgets everything and starts over as <paramref name="userId"/>, first seen at <paramref name="ticks"/>.</summary>
    public void Reuse(long userId, long ticks)
    {
        UserId = userId;
        Activity = UserActivity.FirstSeenAt(ticks);
        MoreRecent = null;
        LessRecent = null;
    }
}
