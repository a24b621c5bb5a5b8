using Fraud.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using FromRouteAttribute = Microsoft.AspNetCore.Mvc.FromRouteAttribute;

namespace Fraud.Api.Models;

/// <summary>The model lifecycle: list the versions, train one from the detectors' sample, activate any (rollback).</summary>
internal static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModelsEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/models").WithTags("Models");
        models.MapGet("", ListAsync)
            .WithName("GetModels")
            .WithSummary("Every stored model, newest first")
            .WithDescription("Version, source (trainer or a detector's model file), parameters, training window and rows, validation figures, and which one is active.");
        models.MapPost("/train", TrainAsync)
            .RequireApiKey(ApiAccess.Write)
            .WithName("TrainModel")
            .WithSummary("Train a model on recent traffic now")
            .WithDescription("Fits an Isolation Forest on the detectors' sample of recent feature vectors, validates it on the newest part of the sample, stores it, and activates it only if it passes (detectors switch within seconds). 201 with the model and its validation; 422 when there are not enough samples yet. Needs the API key in `X-Api-Key`.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        models.MapPost("/{version}/activate", ActivateAsync)
            .RequireApiKey(ApiAccess.Write)
            .WithName("ActivateModel")
            .WithSummary("Make a stored model the active one")
            .WithDescription("Every detector switches to it within seconds; use it to roll back. Needs the API key in `X-Api-Key`.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ModelVersion>>> ListAsync(ModelStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<Created<TrainingResult>, ProblemHttpResult>> TrainAsync(ModelTrainer trainer, CancellationToken cancellationToken)
    {
        var outcome = await trainer.TrainAsync(cancellationToken);
        if (outcome.Model is not { } model)
        {
            return TypedResults.Problem(outcome.Problem, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not enough training data");
        }

        var validation = model.Validation;
        return TypedResults.Created($"/models/{model.Version}", new TrainingResult(
            model.Version,
            outcome.Activated,
            model.TrainingRows,
            model.WindowStart,
            model.WindowEnd,
            new ValidationResult(validation.HoldoutRows, Finite(validation.AnomalyRate), Finite(validation.ScoreP50), validation.Passed, validation.Problems)));
    }

    private static async Task<Results<Ok<ModelActivation>, ProblemHttpResult>> ActivateAsync(
        [FromRoute(Name = "version")] string version, ModelStore store, ILogger<ModelStore> logger, CancellationToken cancellationToken)
    {
        if (await store.ActivateAsync(version, cancellationToken) is not { } activation)
        {
            return TypedResults.Problem($"No model has version '{version}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
        }

        if (activation.Changed)
        {
            logger.LogInformation("Model {Version} activated through the API", version);
        }

        return TypedResults.Ok(activation);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>The answer to <c>POST /models/train</c>.</summary>
internal sealed record TrainingResult(
    string Version, bool Activated, int TrainingRows, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, ValidationResult Validation);

/// <summary>How the trained model did on the held-out newest samples.</summary>
internal sealed record ValidationResult(int HoldoutRows, double? AnomalyRate, double? ScoreP50, bool Passed, IReadOnlyList<string> Problems);
