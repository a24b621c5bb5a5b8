using System.Numerics;

namespace Fraud.Core.Detection.Forest;

/// <summary>
/// Isolation Forest (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008) with scikit-learn's conventions: anomalies
/// are few and different, so random axis-parallel splits isolate them in fewer steps than normal points. Fit once
/// on unlabelled rows, then score rows one at a time without allocating. A fitted forest is immutable, so scoring
/// is safe from any number of threads. See docs/isolation-forest.md.
/// </summary>
public sealed class IsolationForest
{
    /// <summary>Euler–Mascheroni constant γ, as numpy's <c>euler_gamma</c>.</summary>
    private const double EulerGamma = 0.5772156649015329;

    /// <summary>scikit-learn's <c>offset_</c> for <c>contamination="auto"</c>: the paper's anomaly score 0.5, negated.</summary>
    private const double AutoOffset = -0.5;

    /// <summary>Rows scored per parallel batch when every training row is scored after fitting.</summary>
    private const int ScoringBatchRows = 16_384;

    private readonly IsolationTrees _trees;
    private readonly string[] _featureNames;
    private readonly IReadOnlyList<string> _readOnlyFeatureNames;
    private readonly double _cPsi;   // c(ψ), the normalisation of Equation 2

    internal IsolationForest(
        IsolationTrees trees,
        string[] featureNames,
        IsolationForestOptions options,
        string version,
        int trainingRows,
        double offset,
        ScoreDistribution? trainingScores,
        FeatureTails? trainingTails)
    {
        _trees = trees;
        _featureNames = featureNames;
        _readOnlyFeatureNames = featureNames.AsReadOnly();
        Options = options;
        Version = version;
        TrainingRows = trainingRows;
        Offset = offset;
        TrainingScores = trainingScores;
        TrainingTails = trainingTails;
        _cPsi = AveragePathLength(SubsampleSize);
    }

    /// <summary>
    /// scikit-learn's <c>offset_</c>, the alert threshold on <see cref="ScoreSample"/>: a row is an outlier when its
    /// score is below it. −0.5 when <see cref="IsolationForestOptions.Contamination"/> is null, else that quantile
    /// of the training rows' scores.
    /// </summary>
    public double Offset { get; private set; }

    /// <summary>
    /// How the training rows scored, so that a score can be read as its rank among them
    /// (<see cref="ScoreDistribution.TailShare"/>); null for a model file written before format version 2.
    /// </summary>
    public ScoreDistribution? TrainingScores { get; private set; }

    /// <summary>
    /// Where each feature's values lay among the training rows (<see cref="FeatureTails.UpperTailShare"/>, in the
    /// order of <see cref="FeatureNames"/>); null for a model file written before format version 3.
    /// </summary>
    public FeatureTails? TrainingTails { get; }

    /// <summary>Model version id given at training, recorded on alerts.</summary>
    public string Version { get; }

    /// <summary>Names of the features, in the order <see cref="ScoreSample"/> expects them.</summary>
    public IReadOnlyList<string> FeatureNames => _readOnlyFeatureNames;

    /// <summary>The parameters the forest was fitted with.</summary>
    public IsolationForestOptions Options { get; }

    /// <summary>Number of rows the forest was fitted on.</summary>
    public int TrainingRows { get; }

    /// <summary>ψ, the subsample size each tree was grown on: min(MaxSamples, TrainingRows).</summary>
    internal int SubsampleSize => Math.Min(Options.MaxSamples, TrainingRows);

    /// <summary>The trees in their flat arrays.</summary>
    internal IsolationTrees Trees => _trees;

    /// <summary>
    /// Fits a forest: the paper's Algorithm 1, iForest(X, t, ψ). Each of t trees is grown on ψ rows drawn without
    /// replacement, up to the height limit l = ⌈log₂ ψ⌉; every training row is then scored for
    /// <see cref="TrainingScores"/> and, with a contamination share, to place <see cref="Offset"/>; each feature's
    /// values are kept as <see cref="TrainingTails"/>.
    /// </summary>
    /// <param name="rows">Training rows, row-major: rowCount × featureNames.Count finite values.</param>
    /// <param name="featureNames">Distinct, non-empty names of the columns.</param>
    /// <param name="options">Parameters; the seed makes the result deterministic.</param>
    /// <param name="version">Model version id to record.</param>
    public static IsolationForest Fit(
        ReadOnlySpan<float> rows, IReadOnlyList<string> featureNames, IsolationForestOptions options, string version)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        options.Validate();
        if (FeatureNamesProblem(featureNames) is { } problem)
        {
            throw new ArgumentException(problem, nameof(featureNames));
        }
        var d = featureNames.Count;
        if (rows.IsEmpty || rows.Length % d != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not a positive number of rows of {d} features.", nameof(rows));
        }
        var firstNonFinite = rows.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (firstNonFinite >= 0)
        {
            throw new ArgumentException(
                $"Row {firstNonFinite / d}, feature '{featureNames[firstNonFinite % d]}' is {rows[firstNonFinite]}: values must be finite.", nameof(rows));
        }

        var n = rows.Length / d;
        var psi = Math.Min(options.MaxSamples, n);
        var heightLimit = BitOperations.Log2((uint)Math.Max(psi, 2) - 1) + 1;   // l = ⌈log₂ ψ⌉ (1 when ψ = 1)
        var attributesPerTree = Math.Max(1, (int)(options.MaxFeatures * d));
        var treeSeeds = new SeededRandom(unchecked((ulong)options.Seed));
        var nodes = new IsolationTrees.Builder();
        for (var i = 0; i < options.Estimators; i++)
        {
            IsolationTreeBuilder.Grow(rows, d, psi, attributesPerTree, heightLimit, new SeededRandom(treeSeeds.NextUInt64()), nodes);
        }

        var forest = new IsolationForest(nodes.Build(d), [.. featureNames], options, version, n, AutoOffset, trainingScores: null, FeatureTails.FromRows(rows, d));
        var scores = forest.ScoreRows(rows);
        Array.Sort(scores);
        forest.TrainingScores = ScoreDistribution.FromSorted(scores);
        if (options.Contamination is { } contamination)
        {
            forest.Offset = Percentile(scores, contamination);
        }
        return forest;
    }

    /// <summary>
    /// scikit-learn's <c>score_samples</c>: −s(x, ψ) = −2^(−E(h(x)) / c(ψ)), the paper's Equation 2 negated, where
    /// E(h(x)) is the mean path length of x over the trees. In [−1, 0]; lower is more anomalous (the paper's
    /// s close to 1). Allocates nothing.
    /// </summary>
    /// <param name="features">One row, in the order of <see cref="FeatureNames"/>. A NaN goes left at every split.</param>
    public double ScoreSample(ReadOnlySpan<float> features)
    {
        if (features.Length != _featureNames.Length)
        {
            ThrowFeatureCount(features.Length);
        }
        var total = _trees.TotalPathLength(features);   // Σₜ h(x), Algorithm 3 on every tree
        // With ψ = 1, c(ψ) = 0 and every h(x) = 0: scikit-learn sets the exponent to −1 (score −0.5).
        var normalised = _cPsi == 0 ? 1.0 : total / _trees.Count / _cPsi;
        return -Math.Pow(2, -normalised);
    }

    /// <summary>
    /// c(n), the average path length of an unsuccessful search in a binary search tree of n points (the paper's
    /// Equation 1): c(n) = 2H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + γ, and c(n) = 0 for n ≤ 1, c(2) = 1, as
    /// scikit-learn's <c>_average_path_length</c>. Normalises path lengths and estimates the unbuilt subtree
    /// below a leaf of n samples.
    /// </summary>
    public static double AveragePathLength(double n) => n switch
    {
        <= 1 => 0,
        2 => 1,
        _ => 2 * (Math.Log(n - 1) + EulerGamma) - 2 * (n - 1) / n,
    };

    /// <summary>The model file: see docs/isolation-forest.md for its layout.</summary>
    public byte[] Serialize() => IsolationForestFile.Write(this);

    /// <summary>
    /// Reads a model file written by <see cref="Serialize"/>; throws <see cref="InvalidDataException"/> when the bytes
    /// are not a model file, are of an unknown format version, are truncated or are inconsistent.
    /// </summary>
    public static IsolationForest Deserialize(ReadOnlySpan<byte> bytes) => IsolationForestFile.Read(bytes);

    /// <summary>Why <paramref name="names"/> cannot name a model's features, or null when they can.</summary>
    internal static string? FeatureNamesProblem(IReadOnlyList<string?> names)
    {
        if (names.Count == 0)
        {
            return "At least one feature is needed.";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                return $"Feature name {i} is empty.";
            }
            if (!seen.Add(names[i]!))
            {
                return $"Feature name '{names[i]}' appears twice.";
            }
        }
        return null;
    }

    /// <summary>
    /// numpy's <c>percentile(scores, 100 q)</c> with its default linear interpolation, on sorted scores: the value at
    /// position q (n − 1), interpolated between its neighbours.
    /// </summary>
    internal static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>
    /// Scores every row. Rows are copied batch by batch into an array (a span cannot cross threads) and the batch is
    /// scored in parallel; each score depends only on its row, so the result does not depend on the scheduling.
    /// </summary>
    private double[] ScoreRows(ReadOnlySpan<float> rows)
    {
        var d = _featureNames.Length;
        var n = rows.Length / d;
        var scores = new double[n];
        var batch = new float[Math.Min(n, ScoringBatchRows) * d];
        for (var first = 0; first < n; first += ScoringBatchRows)
        {
            var count = Math.Min(ScoringBatchRows, n - first);
            rows.Slice(first * d, count * d).CopyTo(batch);
            var offset = first;
            Parallel.For(0, (count + 1023) / 1024, block =>
            {
                var end = Math.Min(count, (block + 1) * 1024);
                for (var i = block * 1024; i < end; i++)
                {
                    scores[offset + i] = ScoreSample(batch.AsSpan(i * d, d));
                }
            });
        }
        return scores;
    }

    private void ThrowFeatureCount(int given) =>
        throw new ArgumentException($"The model expects {_featureNames.Length} features; {given} were given.", "features");
}
