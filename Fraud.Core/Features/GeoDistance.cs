namespace Fraud.Core.Features;

/// <summary>Great-circle distances between coordinates given in degrees.</summary>
public static class GeoDistance
{
    /// <summary>Mean Earth radius (IUGG), in kilometres.</summary>
    public const double EarthRadiusKm = 6371.0088;

    /// <summary>The haversine distance between two points, in kilometres.</summary>
    /// <param name="lat1">Latitude of the first point, degrees.</param>
    /// <param name="lon1">Longitude of the first point, degrees.</param>
    /// <param name="lat2">Latitude of the second point, degrees.</param>
    /// <param name="lon2">Longitude of the second point, degrees.</param>
    /// <returns>The distance along the surface of a sphere of radius <see cref="EarthRadiusKm"/>.</returns>
    public static double HaversineKm(double lat1, double lon1, double lat2, double lon2)
    {
        double phi1 = double.DegreesToRadians(lat1);
        double phi2 = double.DegreesToRadians(lat2);
        double sinHalfDeltaPhi = Math.Sin((phi2 - phi1) / 2);
        double sinHalfDeltaLambda = Math.Sin(double.DegreesToRadians(lon2 - lon1) / 2);
        double a = (sinHalfDeltaPhi * sinHalfDeltaPhi) + (Math.Cos(phi1) * Math.Cos(phi2) * sinHalfDeltaLambda * sinHalfDeltaLambda);
        // Rounding can push a a hair above 1 for antipodal points; Asin would then return NaN.
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Min(1.0, a)));
    }
}
