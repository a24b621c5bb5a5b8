namespace Fraud.AppHost.Infrastructure;

public static class ModelFileExtensions
{
    /// <summary>
    /// Keeps the model file the API stores (its bootstrap model, or one an operator drops in) in the AppHost's state
    /// folder (unless <c>Training:ModelPath</c> says otherwise), so the bootstrap model is trained once per checkout
    /// rather than into the build output, and a test's ephemeral state gets its own. Published deployments mount their own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithModelInStateFolder(this IResourceBuilder<ProjectResource> api)
    {
        var builder = api.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration["Training:ModelPath"] is { Length: > 0 })
        {
            return api;
        }

        return api.WithEnvironment("Training__ModelPath", Path.Combine(builder.GetLocalStateDirectory(), "models", "iforest.model"));
    }
}
