namespace Fraud.Core.Detection;

/// <summary>
/// The kinds of model in table <c>models</c> (column <c>kind</c>, migration 007): one version of each is active. The API
/// stores and activates them; detectors read the active ones.
/// </summary>
public static class ModelKind
{
    /// <summary>The unsupervised Isolation Forest.</summary>
    public const string Forest = "isolation_forest";

    /// <summary>The supervised gradient-boosted classifier, trained from labels; none active means deciding without one.</summary>
    public const string Classifier = "classifier";
}
