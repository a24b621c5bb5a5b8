namespace Fraud.AppHost.Infrastructure;

public static class DetectorModelExtensions
{
    /// <summary>
    /// Keeps the detector's model file in the AppHost's state folder (unless <c>Detector:ModelPath</c> says
    /// otherwise), so the bootstrap model is trained once per checkout rather than into the build output, and a
    /// test's ephemeral state gets its own. Published deployments mount their own model path.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithModelInStateFolder(this IResourceBuilder<ProjectResource> detector)
    {
        var builder = detector.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration["Detector:ModelPath"] is { Length: > 0 })
        {
            return detector;
        }

        return detector.WithEnvironment("Detector__ModelPath", Path.Combine(builder.GetLocalStateDirectory(), "models", "iforest.model"));
    }
}
