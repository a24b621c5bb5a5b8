using Fraud.Core;

namespace Fraud.UnitTests.Core;

public class CodeListTests
{
    [Fact]
    public void All_249_assigned_iso_3166_alpha_2_codes_are_known()
    {
        Assert.Equal(249, CountryCodes.All.Count);
        Assert.All(CountryCodes.All, code => Assert.Matches("^[A-Z]{2}$", code));
    }

    [Theory]
    [InlineData("ES")]
    [InlineData("US")]
    [InlineData("GB")]
    [InlineData("AX")]
    [InlineData("ZW")]
    public void Assigned_country_codes_are_accepted(string code)
    {
        Assert.True(CountryCodes.IsAssigned(code));
    }

    [Theory]
    [InlineData("es")]
    [InlineData("UK")]
    [InlineData("EU")]
    [InlineData("XK")]
    [InlineData("ESP")]
    [InlineData("")]
    [InlineData(null)]
    public void Lowercase_reserved_and_user_assigned_country_codes_are_not(string? code)
    {
        Assert.False(CountryCodes.IsAssigned(code));
    }

    [Fact]
    public void Every_currency_code_is_three_uppercase_letters()
    {
        Assert.True(CurrencyCodes.All.Count > 150);
        Assert.All(CurrencyCodes.All, code => Assert.Matches("^[A-Z]{3}$", code));
    }

    [Theory]
    [InlineData("EUR")]
    [InlineData("USD")]
    [InlineData("JPY")]
    [InlineData("CHF")]
    [InlineData("ZWG")]
    [InlineData("XCG")]
    public void Active_currency_codes_are_accepted(string code)
    {
        Assert.True(CurrencyCodes.IsActive(code));
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("XYZ")]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData(null)]
    public void Unknown_or_misspelled_currency_codes_are_not(string? code)
    {
        Assert.False(CurrencyCodes.IsActive(code));
    }

    [Fact]
    public void The_default_currency_is_EUR()
    {
        Assert.Equal("EUR", CurrencyCodes.Default);
    }
}
