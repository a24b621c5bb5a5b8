namespace Fraud.Core.Detection.Forest;

/// <summary>
/// The isolation trees of a forest, stored in flat arrays.
/// </summary>
/// <remarks>
/// Layout: every node of every tree is one index i into four parallel arrays, and tree t occupies the
/// contiguous range [<see cref="Roots"/>[t], <see cref="Roots"/>[t + 1]) in pre-order — a node, then its whole
/// left subtree, then its right subtree — so a split's left child is always i + 1 and only the right child is
/// stored:
/// <list type="bullet">
/// <item><see cref="Attribute"/>[i]: the split attribute q (an index into the row), or <see cref="Leaf"/> for an
/// external node;</item>
/// <item><see cref="SplitValue"/>[i]: the split value p; a row goes left when x[q] ≤ p (scikit-learn's side of
/// the tie; the paper writes x[q] &lt; p);</item>
/// <item><see cref="Right"/>[i]: the index of the right child;</item>
/// <item><see cref="LeafPathLength"/>[i]: for an external node, what the paper's PathLength returns there,
/// e + c(Size), computed once when the tree is grown (0 for splits).</item>
/// </list>
/// A child's index is always greater than its parent's and inside its tree's range, so a walk ends at a leaf
/// after at most the tree's height steps. Scoring is index arithmetic over a few arrays (about 20 bytes a node,
/// ~1 MB for 100 trees grown on ψ = 256): no node objects, no pointers to chase through the heap, nothing
/// allocated, and the whole forest stays in the CPU caches.
/// </remarks>
internal sealed class IsolationTrees
{
    /// <summary>The <see cref="Attribute"/> of an external node.</summary>
    public const int Leaf = -1;

    public IsolationTrees(int[] roots, int[] attribute, float[] splitValue, int[] right, double[] leafPathLength)
    {
        Roots = roots;
        Attribute = attribute;
        SplitValue = splitValue;
        Right = right;
        LeafPathLength = leafPathLength;
    }

    /// <summary>Index of each tree's root node; tree t ends where tree t + 1 begins.</summary>
    public int[] Roots { get; }

    /// <summary>Split attribute q of each node, or <see cref="Leaf"/>.</summary>
    public int[] Attribute { get; }

    /// <summary>Split value p of each split node.</summary>
    public float[] SplitValue { get; }

    /// <summary>Index of each split node's right child.</summary>
    public int[] Right { get; }

    /// <summary>e + c(Size) for each external node.</summary>
    public double[] LeafPathLength { get; }

    /// <summary>Number of trees, t.</summary>
    public int Count => Roots.Length;

    /// <summary>Number of nodes over all trees.</summary>
    public int NodeCount => Attribute.Length;

    /// <summary>
    /// h(x) in tree <paramref name="tree"/>: the paper's Algorithm 3, PathLength(x, T, 0). Walks from the root to
    /// the external node x falls into and returns that node's e + c(Size).
    /// </summary>
    public double PathLength(ReadOnlySpan<float> x, int tree)
    {
        var node = Roots[tree];
        while (Attribute[node] != Leaf)
        {
            node = x[Attribute[node]] <= SplitValue[node] ? node + 1 : Right[node];
        }
        return LeafPathLength[node];
    }

    /// <summary>Height of tree <paramref name="tree"/> (the depth e of its deepest external node).</summary>
    public int Height(int tree)
    {
        var end = tree + 1 < Roots.Length ? Roots[tree + 1] : NodeCount;
        var depth = new int[end - Roots[tree]];
        var height = 0;
        for (var node = Roots[tree]; node < end; node++)
        {
            var e = depth[node - Roots[tree]];
            height = Math.Max(height, e);
            if (Attribute[node] != Leaf)
            {
                depth[node + 1 - Roots[tree]] = e + 1;
                depth[Right[node] - Roots[tree]] = e + 1;
            }
        }
        return height;
    }

    /// <summary>
    /// Checks what a walk relies on — array lengths agree, each tree's range is non-empty, every split names one of
    /// <paramref name="featureCount"/> attributes and has both children inside its tree after itself, every leaf's
    /// path length is finite — and throws <see cref="InvalidDataException"/> naming the first violation.
    /// </summary>
    public void Validate(int featureCount)
    {
        var n = NodeCount;
        if (SplitValue.Length != n || Right.Length != n || LeafPathLength.Length != n)
        {
            throw new InvalidDataException("Node arrays differ in length.");
        }
        for (var t = 0; t < Roots.Length; t++)
        {
            var start = Roots[t];
            var end = t + 1 < Roots.Length ? Roots[t + 1] : n;
            if ((t == 0 && start != 0) || start < 0 || start >= end || end > n)
            {
                throw new InvalidDataException($"Tree {t} has an invalid node range [{start}, {end}).");
            }
            for (var node = start; node < end; node++)
            {
                if (Attribute[node] == Leaf)
                {
                    if (!double.IsFinite(LeafPathLength[node]) || LeafPathLength[node] < 0)
                    {
                        throw new InvalidDataException($"Leaf {node} has an invalid path length {LeafPathLength[node]}.");
                    }
                    continue;
                }
                if ((uint)Attribute[node] >= (uint)featureCount)
                {
                    throw new InvalidDataException($"Node {node} splits on attribute {Attribute[node]}; the model has {featureCount} features.");
                }
                if (float.IsNaN(SplitValue[node]))
                {
                    throw new InvalidDataException($"Node {node} has no split value.");
                }
                if (node + 1 >= end || Right[node] <= node + 1 || Right[node] >= end)
                {
                    throw new InvalidDataException($"Node {node} has children outside tree {t}.");
                }
            }
        }
    }

    /// <summary>Appends trees node by node in pre-order; <see cref="IsolationTreeBuilder"/> and tests use it.</summary>
    internal sealed class Builder
    {
        private readonly List<int> _roots = [];
        private readonly List<int> _attribute = [];
        private readonly List<float> _splitValue = [];
        private readonly List<int> _right = [];
        private readonly List<double> _leafPathLength = [];

        /// <summary>Starts a new tree: the next node added is its root.</summary>
        public void BeginTree() => _roots.Add(_attribute.Count);

        /// <summary>Adds an internal node splitting on x[q] ≤ p; its left subtree must follow immediately.</summary>
        public int AddSplit(int q, float p) => Add(q, p, 0);

        /// <summary>Marks the next node added as the right child of <paramref name="split"/>.</summary>
        public void BeginRightChild(int split) => _right[split] = _attribute.Count;

        /// <summary>
        /// Adds an external node holding <paramref name="size"/> training samples at depth <paramref name="e"/>:
        /// a row ending there has path length e + c(Size) (the paper's Algorithm 3).
        /// </summary>
        public void AddLeaf(int e, int size) => Add(Leaf, 0, e + IsolationForest.AveragePathLength(size));

        /// <summary>The trees added so far, in flat arrays.</summary>
        public IsolationTrees Build() =>
            new([.. _roots], [.. _attribute], [.. _splitValue], [.. _right], [.. _leafPathLength]);

        private int Add(int attribute, float splitValue, double leafPathLength)
        {
            _attribute.Add(attribute);
            _splitValue.Add(splitValue);
            _right.Add(0);
            _leafPathLength.Add(leafPathLength);
            return _attribute.Count - 1;
        }
    }
}
