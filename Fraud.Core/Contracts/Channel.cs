namespace Fraud.Core;

/// <summary>How a card transaction was made. On the wire: <c>"pos"</c>, <c>"ecom"</c> or <c>"atm"</c> (lowercase, case-sensitive).</summary>
public enum Channel
{
    /// <summary>Card present at a point-of-sale terminal (<c>"pos"</c>).</summary>
    Pos,

    /// <summary>Card not present, online purchase (<c>"ecom"</c>).</summary>
    Ecom,

    /// <summary>Cash withdrawal at an ATM (<c>"atm"</c>).</summary>
    Atm,
}
