using Microsoft.AspNetCore.Http.HttpResults;

namespace Fraud.Api;

/// <summary>The problem+json answers more than one endpoint gives, worded once.</summary>
internal static class Problems
{
    public static ProblemHttpResult AlertNotFound(string txId) =>
        TypedResults.Problem($"No alert has tx_id '{txId}'.", statusCode: StatusCodes.Status404NotFound, title: "Alert not found");

    public static ValidationProblem InvalidQuery(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(messages => messages)),
            title: "Invalid query parameters");
}
