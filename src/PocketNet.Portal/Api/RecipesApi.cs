using PocketNet.Training.Recipes;

namespace PocketNet.Portal.Api;

/// <summary>/api/recipes: the official scripts' presets a training run can follow (TrainingRequest.Recipe), every value shown.</summary>
public static class RecipesApi
{
    public static void MapRecipesApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/recipes", () => TypedResults.Ok(TrainingRecipe.BuiltIn))
            .WithTags("Runs").WithSummary("Training recipes (ms1mv2, casia-webface): schedule, optimiser, heads and distillation weight, with their source");
    }
}
