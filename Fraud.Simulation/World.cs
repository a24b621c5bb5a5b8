namespace Fraud.Simulation;

/// <summary>A shop, an ATM or an online store. A physical one is also its single terminal (card reader).</summary>
internal sealed record Merchant(string Id, string ReaderId, int Mcc, int City, double Lat, double Lon)
{
    public bool IsOnline => City < 0;
}

/// <summary>
/// The merchants of the simulated world, laid out from the seed: in every city a set of shops and ATMs placed
/// around its centre, plus online stores that belong to no city. Built once per run (a few thousand objects).
/// </summary>
internal sealed class World
{
    /// <summary>ATMs are merchants with this category code (cash withdrawal).</summary>
    public const int AtmMcc = 6011;

    // Categories by how common they are among physical merchants and online stores (relative weights).
    private static readonly (int Mcc, double Weight)[] ShopCategories =
    [
        (5411, 28), // grocery
        (5812, 16), // restaurants
        (5814, 10), // fast food
        (5541, 9),  // fuel
        (5912, 6),  // drugstores
        (5651, 7),  // clothing
        (5311, 4),  // department stores
        (5732, 3),  // electronics
        (5942, 2),  // books
        (5944, 1),  // jewellery
        (7011, 4),  // hotels
        (4121, 4),  // taxis
        (5999, 6),  // other retail
    ];

    private static readonly (int Mcc, double Weight)[] OnlineCategories =
    [
        (5999, 30), // marketplaces
        (5815, 12), // digital goods, gift cards
        (5968, 12), // subscriptions
        (5691, 10), // clothing
        (5732, 10), // electronics
        (4722, 10), // travel
        (7995, 5),  // betting
        (5944, 3),  // jewellery
        (8398, 3),  // charities
    ];

    // What a fraudster buys with a working card: goods that resell or can be spent at once.
    private static readonly int[] HighValueCategories = [5732, 5944, 4722, 5815];

    // Where stolen card numbers are checked with tiny amounts: no goods to ship, little scrutiny.
    private static readonly int[] CardTestingCategories = [5815, 8398, 5968];

    private const double OnlineShare = 0.025;
    private const double AtmShare = 0.08;
    private const int MinShopsPerCity = 20;
    private const int MinAtmsPerCity = 2;
    private const double PlacementSpreadDegrees = 0.03;

    private readonly int[][] _shopsByCity;
    private readonly int[][] _atmsByCity;
    private readonly WeightedChoice _homes;
    private readonly WeightedChoice _destinations;
    private readonly WeightedChoice _fraudOrigins;

    public World(ulong seed, int merchantCount)
    {
        var random = SimulationRandom.For(seed, Streams.World);
        var merchants = new List<Merchant>(merchantCount + 1024);
        var shopCategories = new WeightedChoice(Array.ConvertAll(ShopCategories, c => c.Weight));
        var onlineCategories = new WeightedChoice(Array.ConvertAll(OnlineCategories, c => c.Weight));

        // Physical merchants follow where people are: residents, visitors and (a few) cash-out points.
        double[] presence = Array.ConvertAll(Cities.All, c => c.Residents + (0.5 * c.Visitors) + (0.25 * c.FraudOrigin));
        double totalPresence = presence.Sum();
        int physical = (int)(merchantCount * (1 - OnlineShare));
        _shopsByCity = new int[Cities.All.Length][];
        _atmsByCity = new int[Cities.All.Length][];
        for (int city = 0; city < Cities.All.Length; city++)
        {
            int count = Math.Max(MinShopsPerCity + MinAtmsPerCity, (int)Math.Round(physical * presence[city] / totalPresence));
            int atms = Math.Max(MinAtmsPerCity, (int)Math.Round(count * AtmShare));
            _shopsByCity[city] = Place(merchants, ref random, city, count - atms, shopCategories);
            _atmsByCity[city] = Place(merchants, ref random, city, atms, categories: null);
        }

        int online = Math.Max(50, merchantCount - physical);
        Online = new int[online];
        for (int i = 0; i < online; i++)
        {
            Online[i] = Add(merchants, OnlineCategories[onlineCategories.Pick(ref random)].Mcc, city: -1, double.NaN, double.NaN);
        }

        Merchants = [.. merchants];
        HighValueOnline = OnlineIn(HighValueCategories);
        CardTestingOnline = OnlineIn(CardTestingCategories);
        _homes = new WeightedChoice(Array.ConvertAll(Cities.All, c => c.Residents));
        _destinations = new WeightedChoice(Array.ConvertAll(Cities.All, c => c.Visitors));
        _fraudOrigins = new WeightedChoice(Array.ConvertAll(Cities.All, c => c.FraudOrigin));
    }

    public Merchant[] Merchants { get; }

    /// <summary>Every online store.</summary>
    public int[] Online { get; }

    /// <summary>Online stores selling what fraudsters like: electronics, jewellery, travel, gift cards.</summary>
    public int[] HighValueOnline { get; }

    /// <summary>Online stores where card numbers are tested: digital goods, charities, subscriptions.</summary>
    public int[] CardTestingOnline { get; }

    public static City City(int index) => Cities.All[index];

    public int[] ShopsIn(int city) => _shopsByCity[city];

    public int[] AtmsIn(int city) => _atmsByCity[city];

    /// <summary>A city to live in, weighted by residents.</summary>
    public int PickHome(ref SimulationRandom random) => _homes.Pick(ref random);

    /// <summary>A holiday destination outside <paramref name="homeCountry"/>, weighted by visitors.</summary>
    public int PickDestination(ref SimulationRandom random, string homeCountry) =>
        PickOutside(_destinations, ref random, homeCountry);

    /// <summary>Where a fraudster operates from, outside the victim's <paramref name="homeCountry"/>.</summary>
    public int PickFraudOrigin(ref SimulationRandom random, string homeCountry) =>
        PickOutside(_fraudOrigins, ref random, homeCountry);

    private static int PickOutside(WeightedChoice choice, ref SimulationRandom random, string country)
    {
        // Rejection: every country holds a small share of the weight, so a few draws suffice.
        while (true)
        {
            int city = choice.Pick(ref random);
            if (Cities.All[city].Country != country)
            {
                return city;
            }
        }
    }

    /// <summary>Places <paramref name="count"/> merchants around a city's centre; ATMs when <paramref name="categories"/> is null.</summary>
    private static int[] Place(List<Merchant> merchants, ref SimulationRandom random, int city, int count, WeightedChoice? categories)
    {
        var placed = new int[count];
        var centre = Cities.All[city];
        for (int i = 0; i < count; i++)
        {
            double lat = Math.Round(centre.Lat + (PlacementSpreadDegrees * random.Normal()), 4);
            double lon = Math.Round(centre.Lon + (PlacementSpreadDegrees * random.Normal()), 4);
            int mcc = categories is null ? AtmMcc : ShopCategories[categories.Pick(ref random)].Mcc;
            placed[i] = Add(merchants, mcc, city, lat, lon);
        }

        return placed;
    }

    private static int Add(List<Merchant> merchants, int mcc, int city, double lat, double lon)
    {
        int index = merchants.Count;
        merchants.Add(new Merchant($"m_{index:D6}", $"r_{index:D6}", mcc, city, lat, lon));
        return index;
    }

    private int[] OnlineIn(int[] categories)
    {
        int[] matching = Array.FindAll(Online, m => categories.Contains(Merchants[m].Mcc));
        return matching.Length > 0 ? matching : Online;
    }
}

/// <summary>Picks an index with probability proportional to its weight (cumulative sums and a binary search).</summary>
internal sealed class WeightedChoice
{
    private readonly double[] _cumulative;

    public WeightedChoice(double[] weights)
    {
        _cumulative = new double[weights.Length];
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            _cumulative[i] = sum;
        }
    }

    public int Pick(ref SimulationRandom random)
    {
        // The first index whose cumulative weight exceeds the target; a zero-weight entry can never be it.
        double target = random.NextDouble() * _cumulative[^1];
        int low = 0;
        int high = _cumulative.Length - 1;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (_cumulative[middle] > target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
