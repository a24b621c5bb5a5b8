using System.Buffers.Binary;
using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

/// <summary>Model files as earlier builds wrote them.</summary>
internal static class ForestFiles
{
    /// <summary>
    /// <paramref name="forest"/>'s file in format version 2, which had no training tails: this build's file with the
    /// version number changed and the training-tails block (a flag byte and its quantiles, after the feature names) cut out.
    /// </summary>
    public static byte[] Version2Bytes(IsolationForest forest)
    {
        var file = forest.Serialize();
        int position = TrainingScoresBlock(file);
        position += 1 + (file[position] == 1 ? 8 * ScoreDistribution.GridPoints : 0);
        int featureCount = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position));
        position += 4;
        for (int feature = 0; feature < featureCount; feature++)
        {
            position += 4 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position));
        }

        int blockLength = 1 + (file[position] == 1 ? 8 * ScoreDistribution.GridPoints * featureCount : 0);
        var version2 = file[..position].Concat(file[(position + blockLength)..]).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(version2.AsSpan(8), 2);
        return version2;
    }

    /// <summary>
    /// <paramref name="forest"/>'s file in format version 1, which had no training scores either: the version 2 file with
    /// the version number changed and the training-scores block (a flag byte and its quantiles) cut out.
    /// </summary>
    public static byte[] Version1Bytes(IsolationForest forest)
    {
        var file = Version2Bytes(forest);
        int block = TrainingScoresBlock(file);
        int blockLength = 1 + (file[block] == 1 ? 8 * ScoreDistribution.GridPoints : 0);
        var version1 = file[..block].Concat(file[(block + blockLength)..]).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(version1.AsSpan(8), 1);
        return version1;
    }

    public static IsolationForest AsFormatVersion1(IsolationForest forest) => IsolationForest.Deserialize(Version1Bytes(forest));

    public static IsolationForest AsFormatVersion2(IsolationForest forest) => IsolationForest.Deserialize(Version2Bytes(forest));

    /// <summary>Where the training-scores flag lies: after the magic, format, version id, options, rows and offset.</summary>
    private static int TrainingScoresBlock(byte[] file)
    {
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        return 16 + versionLength + (4 + 4 + 8 + 1 + 8 + 4) + 4 + 8;
    }
}
