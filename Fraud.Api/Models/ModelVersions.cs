using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Fraud.Api.Models;

/// <summary>What the trainers share: how a trained model is named, and how its figures go into JSON.</summary>
internal static class ModelVersions
{
    /// <summary>
    /// <c>{prefix}-2025-09-13-14-1a2b3c4d</c>: the newest training row's hour and a hash of the rows, the labels (if
    /// any) and the parameters, so the same data and settings give the same version.
    /// </summary>
    public static string Of(string prefix, DateTimeOffset newest, List<float> rows, ReadOnlySpan<bool> labels, string parameters)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(rows)));
        hash.AppendData(MemoryMarshal.AsBytes(labels));
        hash.AppendData(Encoding.UTF8.GetBytes(parameters));
        return $"{prefix}-{newest.UtcDateTime:yyyy-MM-dd-HH}-{Convert.ToHexStringLower(hash.GetHashAndReset())[..8]}";
    }

    /// <summary>A figure as JSON can hold it: null when it is undefined (NaN, e.g. no fraud in a holdout).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
