using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

/// <summary>
/// c(n) = 2H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + γ, γ = 0.5772156649015329. The expected values below were
/// computed from that formula with numpy (scikit-learn 1.2.1's <c>_average_path_length</c> gives the same digits).
/// </summary>
public sealed class AveragePathLengthTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_leaf_of_at_most_one_sample_adds_nothing(double n) =>
        Assert.Equal(0.0, IsolationForest.AveragePathLength(n));

    [Fact]
    public void Two_samples_take_exactly_one_more_split() =>
        Assert.Equal(1.0, IsolationForest.AveragePathLength(2));

    [Theory]
    [InlineData(3, 1.207392357589623)]       // 2(ln 2 + γ) − 4/3
    [InlineData(4, 1.8516559071392846)]
    [InlineData(10, 3.748880484475504)]
    [InlineData(255, 10.23694300109504)]
    [InlineData(256, 10.244770920119917)]    // 2(ln 255 + γ) − 510/256: the normaliser for ψ = 256
    [InlineData(1000, 12.969940887100172)]
    [InlineData(1_000_000, 26.785452445730613)]
    public void Larger_n_follow_the_harmonic_number_formula(double n, double expected) =>
        Assert.Equal(expected, IsolationForest.AveragePathLength(n), precision: 12);

    [Fact]
    public void It_grows_with_n()
    {
        var previous = 0.0;
        for (var n = 2; n <= 4096; n++)
        {
            var c = IsolationForest.AveragePathLength(n);
            Assert.True(c > previous, $"c({n}) = {c} is not above c({n - 1}) = {previous}");
            previous = c;
        }
    }
}
