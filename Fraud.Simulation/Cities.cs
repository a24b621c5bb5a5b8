namespace Fraud.Simulation;

/// <summary>
/// A place where card holders live, travel or from which fraudsters operate. The weights are relative, not
/// statistics: they shape where users live (<paramref name="Residents"/>), where they go on trips
/// (<paramref name="Visitors"/>) and where stolen cards are used from (<paramref name="FraudOrigin"/>).
/// </summary>
internal sealed record City(string Name, string Country, double Lat, double Lon, double Residents, double Visitors, double FraudOrigin);

/// <summary>The simulated world's map: a European card issuer's customers, their holiday spots, and fraud's usual origins.</summary>
internal static class Cities
{
    public static readonly City[] All =
    [
        // Where the users live (and where Europeans also travel to).
        new("Madrid", "ES", 40.4168, -3.7038, 6, 2, 0),
        new("Barcelona", "ES", 41.3874, 2.1686, 5, 5, 0),
        new("Valencia", "ES", 39.4699, -0.3763, 2, 2, 0),
        new("Seville", "ES", 37.3891, -5.9845, 2, 2, 0),
        new("Paris", "FR", 48.8566, 2.3522, 9, 5, 0),
        new("Lyon", "FR", 45.7640, 4.8357, 3, 1, 0),
        new("Marseille", "FR", 43.2965, 5.3698, 3, 2, 0),
        new("Berlin", "DE", 52.5200, 13.4050, 6, 3, 0),
        new("Munich", "DE", 48.1351, 11.5820, 4, 2, 0),
        new("Hamburg", "DE", 53.5511, 9.9937, 3, 1, 0),
        new("Cologne", "DE", 50.9375, 6.9603, 3, 1, 0),
        new("Rome", "IT", 41.9028, 12.4964, 5, 5, 0),
        new("Milan", "IT", 45.4642, 9.1900, 5, 2, 0),
        new("Naples", "IT", 40.8518, 14.2681, 3, 2, 0),
        new("Lisbon", "PT", 38.7223, -9.1393, 3, 4, 0),
        new("Porto", "PT", 41.1579, -8.6291, 2, 2, 0),
        new("Amsterdam", "NL", 52.3676, 4.9041, 3, 4, 0),
        new("Rotterdam", "NL", 51.9244, 4.4777, 2, 1, 0),
        new("Brussels", "BE", 50.8503, 4.3517, 3, 1, 0),
        new("Dublin", "IE", 53.3498, -6.2603, 2, 2, 0),
        new("Vienna", "AT", 48.2082, 16.3738, 3, 2, 0),
        new("Warsaw", "PL", 52.2297, 21.0122, 4, 1, 0),
        new("Krakow", "PL", 50.0647, 19.9450, 2, 2, 0),
        new("Stockholm", "SE", 59.3293, 18.0686, 3, 1, 0),
        new("Athens", "GR", 37.9838, 23.7275, 3, 4, 0),

        // Holiday destinations outside the home countries; some are also where stolen cards end up.
        new("London", "GB", 51.5074, -0.1278, 0, 5, 2),
        new("Split", "HR", 43.5081, 16.4402, 0, 3, 0),
        new("Istanbul", "TR", 41.0082, 28.9784, 0, 3, 2),
        new("Marrakesh", "MA", 31.6295, -7.9811, 0, 2, 0),
        new("New York", "US", 40.7128, -74.0060, 0, 3, 3),
        new("Bangkok", "TH", 13.7563, 100.5018, 0, 2, 2),

        // Where fraud commonly originates in card-not-present data, and where cloned cards are cashed out.
        new("Miami", "US", 25.7617, -80.1918, 0, 1, 2),
        new("Sao Paulo", "BR", -23.5505, -46.6333, 0, 0, 3),
        new("Lagos", "NG", 6.5244, 3.3792, 0, 0, 3),
        new("Shenzhen", "CN", 22.5431, 114.0579, 0, 0, 2),
        new("Jakarta", "ID", -6.2088, 106.8456, 0, 0, 2),
        new("Mexico City", "MX", 19.4326, -99.1332, 0, 0, 2),
        new("Dubai", "AE", 25.2048, 55.2708, 0, 1, 1),
        new("Bucharest", "RO", 44.4268, 26.1025, 0, 0, 2),
        new("Ho Chi Minh City", "VN", 10.8231, 106.6297, 0, 0, 2),
        new("Manila", "PH", 14.5995, 120.9842, 0, 0, 2),
    ];

    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double EarthRadiusKm = 6371.0;
        double dLat = DegreesToRadians(lat2 - lat1);
        double dLon = DegreesToRadians(lon2 - lon1);
        double a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(DegreesToRadians(lat1)) * Math.Cos(DegreesToRadians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(a));
    }

    private static double DegreesToRadians(double degrees) => degrees * Math.PI / 180.0;
}
