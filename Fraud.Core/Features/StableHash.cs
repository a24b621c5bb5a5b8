namespace Fraud.Core.Features;

/// <summary>
/// FNV-1a over a string's UTF-16 code units: a 32-bit key for remembering devices and merchants without keeping
/// their strings. Unlike <see cref="string.GetHashCode()"/> it is the same in every process, so two runs over the
/// same data compute the same features.
/// </summary>
internal static class StableHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static int Of(string value)
    {
        uint hash = OffsetBasis;
        foreach (char c in value)
        {
            hash = (hash ^ c) * Prime;
        }

        return (int)hash;
    }
}
