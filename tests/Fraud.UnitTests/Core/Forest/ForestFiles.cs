using System.Buffers.Binary;
using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

/// <summary>Model files as earlier builds wrote them.</summary>
internal static class ForestFiles
{
    /// <summary>
    /// <paramref name="forest"/>'s file in format version 1, which had no training scores: this build's file with the
    /// version number changed and the training-scores block (a flag byte and its quantiles) cut out.
    /// </summary>
    public static byte[] Version1Bytes(IsolationForest forest)
    {
        var file = forest.Serialize();
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        int block = 16 + versionLength + (4 + 4 + 8 + 1 + 8 + 4) + 4 + 8;   // magic, format, version id, options, rows, offset
        int blockLength = 1 + (file[block] == 1 ? 8 * ScoreDistribution.GridPoints : 0);
        var version1 = file[..block].Concat(file[(block + blockLength)..]).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(version1.AsSpan(8), 1);
        return version1;
    }

    public static IsolationForest AsFormatVersion1(IsolationForest forest) => IsolationForest.Deserialize(Version1Bytes(forest));
}
