using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fraud.Core.Detection.Forest;

/// <summary>
/// The model file, format version 3, all numbers little-endian, strings as an int32 byte count then UTF-8:
/// <code>
/// magic "FRAUD-IF" (8 bytes) | int32 format version = 3
/// string model version id
/// int32 Estimators | int32 MaxSamples | float64 MaxFeatures | uint8 has contamination | float64 Contamination (0 if none) | int32 Seed
/// int32 training rows | float64 Offset
/// uint8 has training scores | if 1: ScoreDistribution.GridPoints × float64 quantile of the training scores
/// int32 feature count d | d × string feature name
/// uint8 has training tails | if 1: d × ScoreDistribution.GridPoints × float64 quantile of the feature's negated training values
/// int32 tree count t | int32 node count m
/// t × int32 root | m × int32 attribute | m × float32 split value | m × int32 left child | m × float64 leaf path length
/// </code>
/// Version 1 files (no training scores) are still read: their forest has no <see cref="IsolationForest.TrainingScores"/>,
/// so the decision falls back to the score threshold. Version 2 files (no training tails) are read without
/// <see cref="IsolationForest.TrainingTails"/>, so the decision reads no amount's tail. Reading checks everything a
/// walk relies on, so a damaged file fails with <see cref="InvalidDataException"/> rather than scoring garbage.
/// </summary>
internal static class IsolationForestFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 3;

    private const int FirstFormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "FRAUD-IF"u8;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Write(IsolationForest forest)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(Magic);
        WriteInt32(output, FormatVersion);
        WriteString(output, forest.Version);
        var options = forest.Options;
        WriteInt32(output, options.Estimators);
        WriteInt32(output, options.MaxSamples);
        WriteDouble(output, options.MaxFeatures);
        output.Write([options.Contamination is null ? (byte)0 : (byte)1]);
        WriteDouble(output, options.Contamination ?? 0);
        WriteInt32(output, options.Seed);
        WriteInt32(output, forest.TrainingRows);
        WriteDouble(output, forest.Offset);
        output.Write([forest.TrainingScores is null ? (byte)0 : (byte)1]);
        foreach (var quantile in forest.TrainingScores?.Quantiles ?? [])
        {
            WriteDouble(output, quantile);
        }
        WriteInt32(output, forest.FeatureNames.Count);
        foreach (var name in forest.FeatureNames)
        {
            WriteString(output, name);
        }
        output.Write([forest.TrainingTails is null ? (byte)0 : (byte)1]);
        foreach (var quantiles in forest.TrainingTails?.NegatedQuantiles ?? [])
        {
            foreach (var quantile in quantiles)
            {
                WriteDouble(output, quantile);
            }
        }
        var trees = forest.Trees;
        WriteInt32(output, trees.Count);
        WriteInt32(output, trees.NodeCount);
        foreach (var root in trees.Roots)
        {
            WriteInt32(output, root);
        }
        foreach (var attribute in trees.Attribute)
        {
            WriteInt32(output, attribute);
        }
        foreach (var splitValue in trees.SplitValue)
        {
            BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(4), splitValue);
            output.Advance(4);
        }
        foreach (var left in trees.Left)
        {
            WriteInt32(output, left);
        }
        foreach (var pathLength in trees.LeafPathLength)
        {
            WriteDouble(output, pathLength);
        }
        return output.WrittenSpan.ToArray();
    }

    public static IsolationForest Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an Isolation Forest model file: the magic bytes \"FRAUD-IF\" are missing.");
        }
        reader.Skip(Magic.Length);
        var formatVersion = reader.Int32();
        if (formatVersion is < FirstFormatVersion or > FormatVersion)
        {
            throw new InvalidDataException(
                $"Unknown Isolation Forest model file format version {formatVersion}; this build reads versions {FirstFormatVersion} to {FormatVersion}.");
        }
        var version = reader.String();
        if (string.IsNullOrWhiteSpace(version))
        {
            throw new InvalidDataException("The model file has an empty model version id.");
        }
        var estimators = reader.Int32();
        var maxSamples = reader.Int32();
        var maxFeatures = reader.Double();
        var hasContamination = reader.Byte();
        var contamination = reader.Double();
        var seed = reader.Int32();
        if (hasContamination > 1)
        {
            throw new InvalidDataException($"The model file's contamination flag is {hasContamination}, not 0 or 1.");
        }
        var options = new IsolationForestOptions
        {
            Estimators = estimators,
            MaxSamples = maxSamples,
            MaxFeatures = maxFeatures,
            Contamination = hasContamination == 1 ? contamination : null,
            Seed = seed,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The model file's options are invalid: {e.Message}", e);
        }
        var trainingRows = reader.Int32();
        if (trainingRows < 1)
        {
            throw new InvalidDataException($"The model file claims {trainingRows} training rows.");
        }
        var offset = reader.Double();
        if (!(offset >= -1 && offset <= 0))
        {
            throw new InvalidDataException($"The model file's offset {offset} is outside [-1, 0].");
        }
        ScoreDistribution? trainingScores = null;
        if (formatVersion >= 2)
        {
            var hasTrainingScores = reader.Byte();
            if (hasTrainingScores > 1)
            {
                throw new InvalidDataException($"The model file's training-scores flag is {hasTrainingScores}, not 0 or 1.");
            }
            if (hasTrainingScores == 1)
            {
                trainingScores = ScoreDistribution.FromQuantiles(reader.Doubles(ScoreDistribution.GridPoints));
            }
        }
        var featureNames = new string[reader.Count(minimum: 1, bytesEach: 4)];
        for (var i = 0; i < featureNames.Length; i++)
        {
            featureNames[i] = reader.String();
        }
        if (IsolationForest.FeatureNamesProblem(featureNames) is { } problem)
        {
            throw new InvalidDataException($"The model file's feature names are invalid: {problem}");
        }
        FeatureTails? trainingTails = null;
        if (formatVersion >= 3)
        {
            var hasTrainingTails = reader.Byte();
            if (hasTrainingTails > 1)
            {
                throw new InvalidDataException($"The model file's training-tails flag is {hasTrainingTails}, not 0 or 1.");
            }
            if (hasTrainingTails == 1)
            {
                var quantiles = new double[featureNames.Length][];
                for (var feature = 0; feature < quantiles.Length; feature++)
                {
                    quantiles[feature] = reader.Doubles(ScoreDistribution.GridPoints);
                }
                trainingTails = FeatureTails.FromNegatedQuantiles(quantiles, featureNames);
            }
        }
        var treeCount = reader.Count(minimum: 1, bytesEach: 4);
        var nodeCount = reader.Count(minimum: treeCount, bytesEach: 20);
        if (treeCount != options.Estimators)
        {
            throw new InvalidDataException($"The model file holds {treeCount} trees but says Estimators = {options.Estimators}.");
        }
        if (reader.Remaining != 4L * treeCount + 20L * nodeCount)
        {
            throw new InvalidDataException(
                $"The model file's tree arrays take {reader.Remaining} bytes; {treeCount} trees of {nodeCount} nodes take {4L * treeCount + 20L * nodeCount}.");
        }
        var roots = reader.Int32s(treeCount);
        var attribute = reader.Int32s(nodeCount);
        var splitValue = new float[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            splitValue[i] = reader.Single();
        }
        var left = reader.Int32s(nodeCount);
        var leafPathLength = new double[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            leafPathLength[i] = reader.Double();
        }
        var trees = new IsolationTrees(roots, attribute, splitValue, left, leafPathLength, featureNames.Length);
        return new IsolationForest(trees, featureNames, options, version, trainingRows, offset, trainingScores, trainingTails);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteDouble(ArrayBufferWriter<byte> output, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        var utf8 = StrictUtf8.GetBytes(value);
        WriteInt32(output, utf8.Length);
        output.Write(utf8);
    }

    /// <summary>Reads the file front to back; every read past the end throws <see cref="InvalidDataException"/>.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly long Remaining => _bytes.Length - _position;

        public void Skip(int count) => Take(count);

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public string String()
        {
            var length = Count(minimum: 0, bytesEach: 1);
            try
            {
                return StrictUtf8.GetString(Take(length));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"The model file has a string that is not UTF-8 near byte {_position}.", e);
            }
        }

        /// <summary>A count of items of at least <paramref name="bytesEach"/> bytes each, checked against what remains.</summary>
        public int Count(int minimum, int bytesEach)
        {
            var at = _position;
            var count = Int32();
            if (count < minimum || (long)count * bytesEach > Remaining)
            {
                throw new InvalidDataException($"The model file has an impossible count {count} at byte {at}.");
            }
            return count;
        }

        public double[] Doubles(int count)
        {
            var values = new double[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = Double();
            }
            return values;
        }

        public int[] Int32s(int count)
        {
            var values = new int[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = Int32();
            }
            return values;
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _bytes.Length - _position)
            {
                throw new InvalidDataException(
                    $"The model file is truncated: {count} bytes expected at byte {_position}, {_bytes.Length - _position} left.");
            }
            var taken = _bytes.Slice(_position, count);
            _position += count;
            return taken;
        }
    }
}
