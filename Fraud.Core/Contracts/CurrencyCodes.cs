using System.Collections.Frozen;

namespace Fraud.Core;

/// <summary>The ISO-4217 currency codes a transaction's <c>currency</c> may take.</summary>
public static class CurrencyCodes
{
    /// <summary>The currency a transaction has when its message names none.</summary>
    public const string Default = "EUR";

    // ISO 4217 list one as in Debian's iso-codes 4.15, plus the later ZWG (2024) and XCG (2025). Codes withdrawn
    // since (HRK, ZWL, SLL, CUC, ANG) stay accepted so that older data still replays.
    private const string Active = """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN
        BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
        CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK
        DJF DKK DOP DZD
        EGP ERN ETB EUR
        FJD FKP
        GBP GEL GHS GIP GMD GNF GTQ GYD
        HKD HNL HRK HTG HUF
        IDR ILS INR IQD IRR ISK
        JMD JOD JPY
        KES KGS KHR KMF KPW KRW KWD KYD KZT
        LAK LBP LKR LRD LSL LYD
        MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
        NAD NGN NIO NOK NPR NZD
        OMR
        PAB PEN PGK PHP PKR PLN PYG
        QAR
        RON RSD RUB RWF
        SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
        THB TJS TMT TND TOP TRY TTD TWD TZS
        UAH UGX USD USN UYI UYU UYW UZS
        VED VES VND VUV
        WST
        XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX
        YER
        ZAR ZMW ZWG ZWL
        """;

    private static readonly FrozenSet<string> Codes =
        Active.Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every accepted code, uppercase.</summary>
    public static IReadOnlySet<string> All => Codes;

    /// <summary>Whether <paramref name="code"/> is an accepted ISO-4217 code, written in uppercase (e.g. <c>"EUR"</c>).</summary>
    /// <param name="code">The candidate code.</param>
    /// <returns>True for an accepted code.</returns>
    public static bool IsActive(string? code) => code is not null && Codes.Contains(code);
}
