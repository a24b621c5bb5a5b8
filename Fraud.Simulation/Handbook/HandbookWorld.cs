namespace Fraud.Simulation.Handbook;

/// <summary>A customer's profile, drawn once: where they live on the grid, what they spend and how often.</summary>
/// <param name="X">Position on the 100×100 grid, uniform.</param>
/// <param name="Y">Position on the 100×100 grid, uniform.</param>
/// <param name="MeanAmount">Mean of the customer's amounts, uniform in [5, 100).</param>
/// <param name="StdAmount">Standard deviation of the amounts: half the mean.</param>
/// <param name="MeanTransactionsPerDay">Mean of the Poisson number of transactions a day, uniform in [0, 4).</param>
internal readonly record struct HandbookCustomer(double X, double Y, double MeanAmount, double StdAmount, double MeanTransactionsPerDay);

/// <summary>
/// The handbook's world: customer profiles, terminal positions, and for each customer the terminals within
/// <see cref="Radius"/> of them, the only ones they use. Laid out from the seed; every customer and terminal is a
/// pure function of (seed, id).
/// </summary>
internal sealed class HandbookWorld
{
    /// <summary>Side of the square grid customers and terminals are placed on.</summary>
    public const double GridSize = 100;

    /// <summary>A customer uses the terminals closer than this (the handbook's r = 5, about 78 terminals of 10,000).</summary>
    public const double Radius = 5;

    public const double MinMeanAmount = 5;
    public const double MaxMeanAmount = 100;
    public const double MaxMeanTransactionsPerDay = 4;

    // Terminals are bucketed in square cells as wide as the radius, so a customer's reach is found among the
    // terminals of at most 3×3 cells instead of all of them.
    private const int CellsPerSide = (int)(GridSize / Radius);

    private readonly HandbookCustomer[] _customers;
    private readonly (double X, double Y)[] _terminals;

    // The terminals within reach of customer c are _reach[_reachStart[c].._reachStart[c + 1]], in ascending id
    // order: one flat array rather than an array per customer.
    private readonly int[] _reachStart;
    private readonly int[] _reach;

    public HandbookWorld(ulong seed, int customers, int terminals)
    {
        _customers = new HandbookCustomer[customers];
        for (int id = 0; id < customers; id++)
        {
            var random = SimulationRandom.For(seed, Streams.HandbookCustomer, (ulong)id);
            // Drawn in the handbook's order: position, mean amount, then transactions per day.
            double x = random.Between(0, GridSize);
            double y = random.Between(0, GridSize);
            double meanAmount = random.Between(MinMeanAmount, MaxMeanAmount);
            double meanPerDay = random.Between(0, MaxMeanTransactionsPerDay);
            _customers[id] = new HandbookCustomer(x, y, meanAmount, meanAmount / 2, meanPerDay);
        }

        _terminals = new (double, double)[terminals];
        for (int id = 0; id < terminals; id++)
        {
            var random = SimulationRandom.For(seed, Streams.HandbookTerminal, (ulong)id);
            _terminals[id] = (random.Between(0, GridSize), random.Between(0, GridSize));
        }

        (_reachStart, _reach) = TerminalsWithinRadius();
    }

    public int Customers => _customers.Length;

    public int Terminals => _terminals.Length;

    public HandbookCustomer Customer(int id) => _customers[id];

    public (double X, double Y) Terminal(int id) => _terminals[id];

    /// <summary>The terminals closer than <see cref="Radius"/> to the customer, ascending; empty for a customer with none.</summary>
    public ReadOnlySpan<int> TerminalsInReach(int customer) => _reach.AsSpan(_reachStart[customer], _reachStart[customer + 1] - _reachStart[customer]);

    private (int[] Start, int[] Reach) TerminalsWithinRadius()
    {
        var cells = new List<int>[CellsPerSide * CellsPerSide];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = [];
        }

        for (int id = 0; id < _terminals.Length; id++)
        {
            cells[CellOf(_terminals[id].Y) * CellsPerSide + CellOf(_terminals[id].X)].Add(id);
        }

        var start = new int[_customers.Length + 1];
        var reach = new List<int>();
        var near = new List<int>();
        for (int c = 0; c < _customers.Length; c++)
        {
            var customer = _customers[c];
            near.Clear();
            for (int row = CellOf(customer.Y - Radius); row <= CellOf(customer.Y + Radius); row++)
            {
                for (int column = CellOf(customer.X - Radius); column <= CellOf(customer.X + Radius); column++)
                {
                    foreach (int t in cells[row * CellsPerSide + column])
                    {
                        double dx = _terminals[t].X - customer.X;
                        double dy = _terminals[t].Y - customer.Y;
                        if (Math.Sqrt((dx * dx) + (dy * dy)) < Radius)
                        {
                            near.Add(t);
                        }
                    }
                }
            }

            near.Sort();
            reach.AddRange(near);
            start[c + 1] = reach.Count;
        }

        return (start, [.. reach]);
    }

    private static int CellOf(double coordinate) => Math.Clamp((int)(coordinate / Radius), 0, CellsPerSide - 1);
}
