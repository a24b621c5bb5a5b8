using Fraud.Api.Security;
using Fraud.Core.Detection;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using FromRouteAttribute = Microsoft.AspNetCore.Mvc.FromRouteAttribute;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fraud.Api.Models;

/// <summary>
/// The model lifecycle, for both kinds (the Isolation Forest and the supervised classifier): list the versions, train
/// one, activate any (rollback) within its kind.
/// </summary>
internal static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModelsEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/models").WithTags("Models");
        models.MapGet("", ListAsync)
            .WithName("GetModels")
            .WithSummary("Every stored model, newest first")
            .WithDescription("Version, kind (`isolation_forest` or `classifier`), source (trainer or a detector's model file), parameters, training window and rows, validation figures, and whether it is the active one of its kind.");
        models.MapPost("/train", TrainAsync)
            .RequireApiKey(ApiAccess.Admin)
            .WithName("TrainModel")
            .WithSummary("Train a model now")
            .WithDescription("""
                `kind=isolation_forest` (the default) fits an Isolation Forest on the detectors' sample of recent feature vectors and validates it on the newest part of the sample (`TrainingResult`). `kind=classifier` fits the gradient-boosted classifier on labelled rows (alerts with an analyst's or the simulator's label, and samples older than `Training:LabelDelay`), ordered by event time: the older 80% fitted, the newest 20% validate it (ROC-AUC, average precision; `ClassifierTrainingResult`). Either is stored, and activated only if it passes (detectors switch within seconds), with the key's name as its `activated_by`. 201 with the model and its validation; 422 when there are not enough samples or fraud labels yet. Needs the API key in `X-Api-Key`.
                """)
            .Produces<ClassifierTrainingResult>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithRequestTimeout(ApiLimitsExtensions.TrainingTimeoutPolicy);   // training reads the whole sample
        models.MapPost("/{version}/activate", ActivateAsync)
            .RequireApiKey(ApiAccess.Admin)
            .WithName("ActivateModel")
            .WithSummary("Make a stored model the active one")
            .WithDescription("Every detector switches to it within seconds; use it to roll back. Only the version's own kind changes: activating a classifier leaves the active forest, and the reverse. Needs the API key in `X-Api-Key`.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ModelVersion>>> ListAsync(ModelStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<Created<TrainingResult>, Created<ClassifierTrainingResult>, ProblemHttpResult>> TrainAsync(
        [FromQuery(Name = "kind")] string? kind, System.Security.Claims.ClaimsPrincipal user, ModelTrainer trainer, ClassifierTrainer classifierTrainer,
        CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case null or "" or ModelKind.Forest:
                break;
            case ModelKind.Classifier:
                return await TrainClassifierAsync(classifierTrainer, user.Identity!.Name!, cancellationToken);
            default:
                return TypedResults.Problem($"kind must be '{ModelKind.Forest}' (the default) or '{ModelKind.Classifier}'; got '{kind}'.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Unknown model kind");
        }

        var outcome = await trainer.TrainAsync(user.Identity!.Name!, cancellationToken);
        if (outcome is not { Model: { } model, Validation: { } validation })
        {
            return NotEnoughData(outcome.Problem);
        }

        return TypedResults.Created($"/models/{model.Version}", new TrainingResult(
            model.Version,
            outcome.Activated,
            model.TrainingRows,
            model.WindowStart,
            model.WindowEnd,
            new ValidationResult(validation.HoldoutRows, ModelVersions.Finite(validation.AnomalyRate), ModelVersions.Finite(validation.ScoreP50), validation.Passed, validation.Problems)));
    }

    private static async Task<Results<Created<TrainingResult>, Created<ClassifierTrainingResult>, ProblemHttpResult>> TrainClassifierAsync(
        ClassifierTrainer trainer, string requestedBy, CancellationToken cancellationToken)
    {
        var outcome = await trainer.TrainAsync(requestedBy, cancellationToken);
        if (outcome is not { Model: { } model, Validation: { } validation })
        {
            return NotEnoughData(outcome.Problem);
        }

        return TypedResults.Created($"/models/{model.Version}", new ClassifierTrainingResult(
            model.Version,
            ModelKind.Classifier,
            outcome.Activated,
            model.TrainingRows,
            outcome.TrainingFrauds,
            model.WindowStart,
            model.WindowEnd,
            new ClassifierValidationResult(
                validation.HoldoutRows, validation.HoldoutFrauds, ModelVersions.Finite(validation.RocAuc), ModelVersions.Finite(validation.AveragePrecision), validation.Passed, validation.Problems)));
    }

    private static ProblemHttpResult NotEnoughData(string? problem) =>
        TypedResults.Problem(problem, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not enough training data");

    private static async Task<Results<Ok<ModelActivation>, ProblemHttpResult>> ActivateAsync(
        [FromRoute(Name = "version")] string version, System.Security.Claims.ClaimsPrincipal user, ModelStore store, ILogger<ModelStore> logger, CancellationToken cancellationToken)
    {
        if (await store.ActivateAsync(version, user.Identity!.Name!, cancellationToken) is not { } activation)
        {
            return TypedResults.Problem($"No model has version '{version}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
        }

        if (activation.Changed)
        {
            logger.LogInformation("Model {Version} activated through the API by {Key}", version, activation.ActivatedBy);
        }

        return TypedResults.Ok(activation);
    }

}

/// <summary>The answer to <c>POST /models/train</c>.</summary>
internal sealed record TrainingResult(
    string Version, bool Activated, int TrainingRows, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, ValidationResult Validation);

/// <summary>How the trained model did on the held-out newest samples.</summary>
internal sealed record ValidationResult(int HoldoutRows, double? AnomalyRate, double? ScoreP50, bool Passed, IReadOnlyList<string> Problems);

/// <summary>The answer to <c>POST /models/train?kind=classifier</c>.</summary>
internal sealed record ClassifierTrainingResult(
    string Version,
    string Kind,
    bool Activated,
    int TrainingRows,
    int TrainingFrauds,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    ClassifierValidationResult Validation);

/// <summary>How the trained classifier ranked the held-out newest labelled rows.</summary>
internal sealed record ClassifierValidationResult(
    int HoldoutRows, int HoldoutFrauds, double? RocAuc, double? AveragePrecision, bool Passed, IReadOnlyList<string> Problems);
