using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fraud.Core.Detection.Supervised;

/// <summary>
/// Regression trees in flat arrays, ML.NET's layout kept: per tree, internal node i splits on
/// <c>SplitFeature[i]</c> at <c>Threshold[i]</c> and continues at <c>LessOrEqual[i]</c> or <c>Greater[i]</c>; a child
/// c ≥ 0 is another internal node of the same tree, a child c &lt; 0 is the leaf ~c. A tree with no split is a single
/// leaf. The arrays of all trees are concatenated, with each tree's first node and first leaf recorded.
/// </summary>
internal sealed class BoostedTrees
{
    private readonly int[] _nodeStart;   // per tree, its first internal node in the node arrays (tree count + 1 entries)
    private readonly int[] _leafStart;   // per tree, its first leaf in LeafValues (tree count + 1 entries)
    private readonly Node[] _nodes;      // the split arrays interleaved: one cache line holds four whole nodes
    private readonly double[] _weightedLeaves;   // LeafValues × the tree's weight

    public BoostedTrees(double bias, IReadOnlyList<BoostedTree> trees)
    {
        Bias = bias;
        TreeCount = trees.Count;
        _nodeStart = new int[trees.Count + 1];
        _leafStart = new int[trees.Count + 1];
        for (int t = 0; t < trees.Count; t++)
        {
            trees[t].Validate(t);
            _nodeStart[t + 1] = _nodeStart[t] + trees[t].SplitFeature.Length;
            _leafStart[t + 1] = _leafStart[t] + trees[t].LeafValues.Length;
        }

        SplitFeature = new int[_nodeStart[^1]];
        Threshold = new float[_nodeStart[^1]];
        LessOrEqual = new int[_nodeStart[^1]];
        Greater = new int[_nodeStart[^1]];
        LeafValues = new double[_leafStart[^1]];
        Weights = new double[trees.Count];
        for (int t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            tree.SplitFeature.CopyTo(SplitFeature, _nodeStart[t]);
            tree.Threshold.CopyTo(Threshold, _nodeStart[t]);
            tree.LessOrEqual.CopyTo(LessOrEqual, _nodeStart[t]);
            tree.Greater.CopyTo(Greater, _nodeStart[t]);
            tree.LeafValues.CopyTo(LeafValues, _leafStart[t]);
            Weights[t] = tree.Weight;
        }

        MaxFeature = SplitFeature.Length == 0 ? -1 : SplitFeature.Max();
        _nodes = new Node[SplitFeature.Length];
        for (int i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = new Node(SplitFeature[i], Threshold[i], LessOrEqual[i], Greater[i]);
        }

        _weightedLeaves = new double[LeafValues.Length];
        for (int t = 0; t < trees.Count; t++)
        {
            for (int leaf = _leafStart[t]; leaf < _leafStart[t + 1]; leaf++)
            {
                _weightedLeaves[leaf] = Weights[t] * LeafValues[leaf];
            }
        }
    }

    public double Bias { get; }

    public int TreeCount { get; }

    /// <summary>The highest feature index any split uses; −1 when no tree splits.</summary>
    public int MaxFeature { get; }

    public int[] SplitFeature { get; }

    public float[] Threshold { get; }

    public int[] LessOrEqual { get; }

    public int[] Greater { get; }

    public double[] LeafValues { get; }

    public double[] Weights { get; }

    /// <summary>
    /// The walk reads nodes through an unchecked reference: the constructor has checked that every child stays inside
    /// its tree (<see cref="BoostedTree.Validate"/>), so the bounds checks of the inner loop can only cost time. The
    /// row's own accesses stay checked, as its length comes from the caller.
    /// </summary>
    public double Margin(ReadOnlySpan<float> row)
    {
        ref Node nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        double margin = Bias;
        for (int t = 0; t < TreeCount; t++)
        {
            int first = _nodeStart[t];
            int node = first == _nodeStart[t + 1] ? ~0 : 0;   // a tree with no split is its leaf 0
            while (node >= 0)
            {
                ref Node split = ref Unsafe.Add(ref nodes, first + node);
                node = row[split.Feature] <= split.Threshold ? split.LessOrEqual : split.Greater;
            }

            margin += _weightedLeaves[_leafStart[t] + ~node];
        }

        return margin;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Node(int Feature, float Threshold, int LessOrEqual, int Greater);

    /// <summary>One tree as <see cref="BoostedTrees"/> takes it in, e.g. from ML.NET or a model file.</summary>
    public IEnumerable<BoostedTree> Split()
    {
        for (int t = 0; t < TreeCount; t++)
        {
            int from = _nodeStart[t], to = _nodeStart[t + 1];
            yield return new BoostedTree(
                Weights[t],
                SplitFeature[from..to],
                Threshold[from..to],
                LessOrEqual[from..to],
                Greater[from..to],
                LeafValues[_leafStart[t].._leafStart[t + 1]]);
        }
    }
}

/// <summary>One regression tree: its weight in the sum, its internal nodes and its leaves.</summary>
internal sealed record BoostedTree(double Weight, int[] SplitFeature, float[] Threshold, int[] LessOrEqual, int[] Greater, double[] LeafValues)
{
    /// <summary>
    /// Checks what a walk relies on: matching lengths, n splits and n + 1 leaves, children in range, and every child
    /// after its parent so a walk always ends.
    /// </summary>
    public void Validate(int index)
    {
        int nodes = SplitFeature.Length;
        if (Threshold.Length != nodes || LessOrEqual.Length != nodes || Greater.Length != nodes)
        {
            throw new InvalidDataException($"Tree {index}: its node arrays differ in length.");
        }

        if (LeafValues.Length != nodes + 1)
        {
            throw new InvalidDataException($"Tree {index}: {nodes} splits need {nodes + 1} leaves, got {LeafValues.Length}.");
        }

        if (!double.IsFinite(Weight) || LeafValues.Any(value => !double.IsFinite(value)))
        {
            throw new InvalidDataException($"Tree {index}: its weight and leaf values must be finite.");
        }

        for (int node = 0; node < nodes; node++)
        {
            if (SplitFeature[node] < 0 || float.IsNaN(Threshold[node]))
            {
                throw new InvalidDataException($"Tree {index}, node {node}: invalid split.");
            }

            foreach (int child in (ReadOnlySpan<int>)[LessOrEqual[node], Greater[node]])
            {
                bool valid = child >= 0 ? child > node && child < nodes : ~child < nodes + 1;
                if (!valid)
                {
                    throw new InvalidDataException($"Tree {index}, node {node}: child {child} is out of range.");
                }
            }
        }
    }
}
