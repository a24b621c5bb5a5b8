using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Core.Features;

namespace Fraud.Core.Detection.Supervised;

/// <summary>
/// The classifier's model file: JSON, so a reviewer can read what a model is made of.
/// <code>
/// {"format":"fraud-gbt/2","version":"gb-…","features":["amount_log",…],"bias":0,"platt_slope":-1.2,"platt_offset":0.3,
///  "training_rows":12000,"training_frauds":240,"merchant_label_delay_days":7,
///  "trees":[{"weight":1,"split_feature":[3,0],"threshold":[1.5,2],"less_or_equal":[1,-1],"greater":[-2,-3],"leaf_values":[…]}]}
/// </code>
/// Floats round-trip exactly (System.Text.Json writes the shortest exact form). Reading checks every index a walk
/// relies on, so a damaged file fails with <see cref="InvalidDataException"/> rather than scoring garbage. Format 1
/// files are read as long as they use no merchant feature: theirs were windows of whole days with a prior of 10
/// transactions, which the features no longer compute.
/// </summary>
internal static class GradientBoostedClassifierFile
{
    public const string Format = "fraud-gbt/2";

    // Format 1 read the merchant features as whole days with a prior of 10; otherwise the same.
    private const string FormatBeforeHourlyMerchantWindows = "fraud-gbt/1";

    public static byte[] Write(GradientBoostedClassifier model) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ClassifierFileModel
            {
                Format = Format,
                Version = model.Version,
                Features = model.FeatureNameArray,
                Bias = model.Trees.Bias,
                PlattSlope = model.PlattSlope,
                PlattOffset = model.PlattOffset,
                TrainingRows = model.TrainingRows,
                TrainingFrauds = model.TrainingFrauds,
                MerchantLabelDelayDays = model.MerchantLabelDelay?.TotalDays,
                Trees = model.Trees.Split().Select(tree => new TreeFileModel
                {
                    Weight = tree.Weight,
                    SplitFeature = tree.SplitFeature,
                    Threshold = tree.Threshold,
                    LessOrEqual = tree.LessOrEqual,
                    Greater = tree.Greater,
                    LeafValues = tree.LeafValues,
                }).ToArray(),
            },
            ClassifierFileJsonContext.Default.ClassifierFileModel);

    public static GradientBoostedClassifier Read(ReadOnlySpan<byte> bytes)
    {
        ClassifierFileModel? file;
        try
        {
            file = JsonSerializer.Deserialize(bytes, ClassifierFileJsonContext.Default.ClassifierFileModel);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Not a classifier model file: {exception.Message}", exception);
        }

        if (file is null || (file.Format != Format && file.Format != FormatBeforeHourlyMerchantWindows))
        {
            throw new InvalidDataException($"Not a classifier model file of format {Format} (found {file?.Format ?? "nothing"}).");
        }

        if (file.Format == FormatBeforeHourlyMerchantWindows && file.Features?.Intersect(FeatureSchema.MerchantNames).FirstOrDefault() is { } merchantFeature)
        {
            throw new InvalidDataException(
                $"Classifier {file.Version} (format {file.Format}) reads {merchantFeature} as defined before merchant windows reached the hour the "
                + "label delay ends; the features differ now. Retrain it with train-classifier.");
        }

        if (string.IsNullOrWhiteSpace(file.Version) || file.Features is not { Length: > 0 } features || features.Any(string.IsNullOrWhiteSpace)
            || features.Distinct(StringComparer.Ordinal).Count() != features.Length)
        {
            throw new InvalidDataException("A classifier model file needs a version and distinct, non-empty feature names.");
        }

        var trees = (file.Trees ?? []).Select((tree, index) => tree is { SplitFeature: { } split, Threshold: { } threshold, LessOrEqual: { } lessOrEqual, Greater: { } greater, LeafValues: { } leaves }
            ? new BoostedTree(tree.Weight, split, threshold, lessOrEqual, greater, leaves)
            : throw new InvalidDataException($"Tree {index}: missing arrays.")).ToArray();
        try
        {
            return new GradientBoostedClassifier(
                file.Version,
                features,
                new BoostedTrees(file.Bias, trees),
                file.PlattSlope,
                file.PlattOffset,
                file.TrainingRows,
                file.TrainingFrauds,
                file.MerchantLabelDelayDays is { } days ? TimeSpan.FromDays(days) : null);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidDataException(exception.Message, exception);
        }
    }
}

internal sealed class ClassifierFileModel
{
    public string? Format { get; set; }

    public string? Version { get; set; }

    public string[]? Features { get; set; }

    public double Bias { get; set; }

    public double PlattSlope { get; set; }

    public double PlattOffset { get; set; }

    public int TrainingRows { get; set; }

    public int TrainingFrauds { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MerchantLabelDelayDays { get; set; }

    public TreeFileModel[]? Trees { get; set; }
}

internal sealed class TreeFileModel
{
    public double Weight { get; set; }

    public int[]? SplitFeature { get; set; }

    public float[]? Threshold { get; set; }

    public int[]? LessOrEqual { get; set; }

    public int[]? Greater { get; set; }

    public double[]? LeafValues { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ClassifierFileModel))]
internal sealed partial class ClassifierFileJsonContext : JsonSerializerContext;
