namespace Fraud.Core.Detection.Forest;

/// <summary>
/// Grows one isolation tree: the paper's Algorithm 2, iTree(X, e, l), on a subsample X of ψ rows, with
/// scikit-learn's choices where the paper leaves room (see <see cref="TryChooseSplit"/>).
/// </summary>
internal sealed class IsolationTreeBuilder
{
    /// <summary>
    /// scikit-learn's <c>FEATURE_THRESHOLD</c>: an attribute is constant in a node when max ≤ min + 1e-7, computed in
    /// single precision as there (so beyond |x| ≈ 2 only exactly equal values count as constant).
    /// </summary>
    private const float FeatureThreshold = 1e-7f;

    private readonly float[][] _x;        // the subsample, one column per attribute in Q: _x[k][i]
    private readonly int[] _q;            // Q: the row indexes of the attributes this tree may split on
    private readonly int[] _candidates;   // scratch: positions in Q not yet tried at the current node
    private readonly int[] _samples;      // 0..ψ−1, partitioned in place; a node owns a contiguous range of it
    private readonly int _heightLimit;    // l
    private readonly SeededRandom _random;
    private readonly IsolationTrees.Builder _nodes;

    private IsolationTreeBuilder(float[][] x, int[] q, int heightLimit, SeededRandom random, IsolationTrees.Builder nodes)
    {
        _x = x;
        _q = q;
        _candidates = new int[q.Length];
        _samples = Enumerable.Range(0, x[0].Length).ToArray();
        _heightLimit = heightLimit;
        _random = random;
        _nodes = nodes;
    }

    /// <summary>
    /// Draws X' = sample(X, ψ) without replacement and <paramref name="attributeCount"/> of the row's
    /// <paramref name="featureCount"/> attributes, then appends iTree(X', 0, l) to <paramref name="nodes"/>.
    /// </summary>
    public static void Grow(
        ReadOnlySpan<float> rows, int featureCount, int psi, int attributeCount, int heightLimit,
        SeededRandom random, IsolationTrees.Builder nodes)
    {
        var sample = random.SampleWithoutReplacement(rows.Length / featureCount, psi);
        var q = attributeCount == featureCount
            ? Enumerable.Range(0, featureCount).ToArray()
            : random.SampleWithoutReplacement(featureCount, attributeCount);
        var x = new float[q.Length][];
        for (var k = 0; k < q.Length; k++)
        {
            x[k] = new float[psi];
            for (var i = 0; i < psi; i++)
            {
                x[k][i] = rows[sample[i] * featureCount + q[k]];
            }
        }
        new IsolationTreeBuilder(x, q, heightLimit, random, nodes).ITree(nodes.BeginTree(), 0, psi, 0);
    }

    /// <summary>iTree(X, e, l) into <paramref name="node"/>, for X = the samples in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private void ITree(int node, int start, int end, int e)
    {
        var size = end - start;
        // e ≥ l or |X| ≤ 1 ⇒ exNode{Size ← |X|}; so is a node whose rows are identical in every attribute.
        if (e >= _heightLimit || size <= 1 || !TryChooseSplit(start, end, out var k, out var p))
        {
            _nodes.SetLeaf(node, e, size);
            return;
        }
        var (left, right) = _nodes.SetSplit(node, _q[k], p);   // inNode{SplitAtt ← q, SplitValue ← p}
        var middle = Partition(start, end, k, p);              // X_l = filter(X, q ≤ p) | X_r = filter(X, q > p)
        ITree(left, start, middle, e + 1);
        ITree(right, middle, end, e + 1);
    }

    /// <summary>
    /// "Randomly select q ∈ Q; randomly select a split point p between the max and min values of q in X."
    /// As scikit-learn's random splitter (<c>ExtraTreeRegressor(max_features=1)</c>), q is uniform over the
    /// attributes that are not constant in X (tried in random order until one varies), and p is uniform in
    /// [min, max). False when every attribute is constant: the rows are identical and the node is a leaf.
    /// </summary>
    private bool TryChooseSplit(int start, int end, out int k, out float p)
    {
        for (var i = 0; i < _candidates.Length; i++)
        {
            _candidates[i] = i;
        }
        for (var tried = 0; tried < _candidates.Length; tried++)
        {
            var j = _random.NextInt(tried, _candidates.Length);
            (_candidates[tried], _candidates[j]) = (_candidates[j], _candidates[tried]);
            k = _candidates[tried];
            var (min, max) = Range(_x[k], start, end);
            if (max <= min + FeatureThreshold)
            {
                continue;
            }
            var drawn = min + _random.NextDouble() * ((double)max - min);
            // Rows are floats, so the largest float ≤ drawn splits them exactly as drawn does.
            p = (float)drawn;
            if (p > drawn)
            {
                p = MathF.BitDecrement(p);
            }
            // scikit-learn's guard: a draw rounded up to max would leave the right side empty.
            if (p >= max)
            {
                p = min;
            }
            return true;
        }
        k = -1;
        p = 0;
        return false;
    }

    private (float Min, float Max) Range(float[] column, int start, int end)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (var i = start; i < end; i++)
        {
            var value = column[_samples[i]];
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        return (min, max);
    }

    /// <summary>Reorders the samples of [start, end) so those with x[q] ≤ p come first; returns where the rest begin.</summary>
    private int Partition(int start, int end, int k, float p)
    {
        var column = _x[k];
        int left = start, right = end;
        while (left < right)
        {
            if (column[_samples[left]] <= p)
            {
                left++;
            }
            else
            {
                right--;
                (_samples[left], _samples[right]) = (_samples[right], _samples[left]);
            }
        }
        return left;
    }
}
