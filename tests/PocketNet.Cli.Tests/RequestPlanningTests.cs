using System.Text.Json;
using PocketNet.Application.Planning;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Cli.Commands;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;

namespace PocketNet.Cli.Tests;

/// <summary>
/// One request, one meaning: `pocketnet train` arguments and a POST /api/runs body (bound as the API binds it: web JSON
/// defaults, camelCase) make the same <see cref="TrainingRequest"/>, and the application layer's <see cref="JobPlanner"/>
/// resolves it to the same options, with the same defaults and the same errors, whoever asked.
/// </summary>
public sealed class RequestPlanningTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    // How minimal APIs bind a body; the request's own converters read its enums by their names.
    private static readonly JsonSerializerOptions Api = new(JsonSerializerDefaults.Web);

    public void Dispose() => _temp.Dispose();

    private string Data => "recordio:" + _temp.Path;

    private static JobPlanner Planner(PlanningHost host) => new(new LocalTrainingSets(), null, host);

    private static TrainingRequest FromCli(params string[] args) => TrainCommand.ReadRequest(new Arguments("train", args));

    private static TrainingRequest FromApi(string json) => JsonSerializer.Deserialize<TrainingRequest>(json, Api)!;

    private static string Json(TrainingOptions options) => JsonSerializer.Serialize(options, EventLog.JsonOptions);

    [Fact]
    public void The_cli_and_the_api_make_the_same_request_and_it_plans_to_the_same_options()
    {
        TrainingRequest cli = FromCli("--genotype", TinyGenotype, "--channels", "4", "--cells", "4", "--embedding", "16", "--data", Data,
            "--mode", "cosface", "--recipe", "casia-webface", "--epochs", "3", "--batch", "8", "--lr", "0.05", "--momentum", "0.8",
            "--clip", "none", "--seed", "7", "--device", "cpu", "--precision", "bf16");
        TrainingRequest api = FromApi($$"""
            {"genotype":"{{TinyGenotype}}","channels":4,"cells":4,"embeddingSize":16,"trainingSet":"{{Data}}","mode":"cosface",
             "recipe":"casia-webface","epochs":3,"batchSize":8,"learningRate":0.05,"momentum":0.8,"gradientClip":0,"seed":7,
             "device":"cpu","precision":"bf16"}
            """);
        Assert.Equal(JsonSerializer.Serialize(cli, Api), JsonSerializer.Serialize(api, Api));

        TrainingOptions fromCli = Planner(PlanningHost.Cli).PlanTraining(cli).Options;
        TrainingOptions fromApi = Planner(PlanningHost.Cli).PlanTraining(api).Options;
        Assert.Equal(Json(fromCli), Json(fromApi));
        Assert.Equal(TrainingMode.CosFace, fromApi.Mode);
        Assert.Equal([2, 3], fromApi.Milestones); // casia-webface's 20, 28, 32 of 34 epochs at their places in 3: 1.76, 2.47, 2.82, rounded
        Assert.Null(fromApi.GradientClip);
        Assert.Equal(0.8, fromApi.Momentum);

        // The portal plans the same request to the same options but for what PlanningHost says differs (progress every step).
        TrainingOptions onPortal = Planner(PlanningHost.Portal(devicesHere: true)).PlanTraining(api).Options;
        Assert.Equal(1, onPortal.LogEverySteps);
        Assert.Equal(10, fromCli.LogEverySteps);
        Assert.Equal(Json(fromCli), Json(onPortal with { LogEverySteps = fromCli.LogEverySteps }));
    }

    [Theory]
    [InlineData(2, new[] { 2 })]
    [InlineData(13, new[] { 4, 7, 10, 13 })]
    [InlineData(26, new[] { 8, 14, 20, 25 })]
    public void A_short_run_gets_the_recipes_milestones_scaled_from_the_cli_as_from_the_api(int epochs, int[] expected)
    {
        TrainingOptions cli = TrainCommand.Plan(new Arguments("train", ["--model", "mobilefacenet", "--data", Data, "--epochs", $"{epochs}", "--device", "cpu"]));
        TrainingOptions api = Planner(PlanningHost.Cli).PlanTraining(FromApi($$"""{"model":"mobilefacenet","trainingSet":"{{Data}}","epochs":{{epochs}},"device":"cpu"}""")).Options;
        Assert.Equal(expected, cli.Milestones);
        Assert.Equal(expected, api.Milestones);
        Assert.Equal(cli.ScheduleNote, api.ScheduleNote);
    }

    [Fact]
    public void Left_out_values_are_the_recipes_for_both()
    {
        TrainingOptions cli = TrainCommand.Plan(new Arguments("train", ["--model", "mobilefacenet", "--data", Data]));
        TrainingOptions api = Planner(PlanningHost.Cli).PlanTraining(FromApi($$"""{"model":"mobilefacenet","trainingSet":"{{Data}}"}""")).Options;
        Assert.Equal(Json(cli), Json(api));
        Assert.Equal((26, 128, 0.1, 5.0), (api.Epochs, api.BatchSize, api.LearningRate, api.GradientClip!.Value));
        Assert.Equal("auto", api.Device); // the CLI's process (or each launched rank) resolves it when it trains
    }

    public static TheoryData<string, string, string, string> BadValues => new()
    {
        // field, CLI value, API JSON member, the error's start
        { "mode", "softmax", "\"mode\":\"softmax\"", "mode: 'softmax' is not arcface, cosface, kd or multistep-kd" },
        { "momentum", "1.5", "\"momentum\":1.5", "momentum: 1.5 is outside [0, 1)" },
        { "epochs", "0", "\"epochs\":0", "epochs: 0 is outside 1..1000" },
        { "batch", "1", "\"batchSize\":1", "batch size: 1 is outside 2..4096" },
        { "lr", "0", "\"learningRate\":0", "learning rate: 0 is outside (0, 10)" },
        { "device", "gpu", "\"device\":\"gpu\"", "device: " },
        { "precision", "fp8", "\"precision\":\"fp8\"", "precision: 'fp8' is not fp32, bf16 or fp16" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_gives_one_clear_error_naming_the_option_from_the_cli_and_from_the_api(string option, string cliValue, string apiMember, string error)
    {
        Exception cli = Assert.ThrowsAny<Exception>(() => TrainCommand.Plan(new Arguments("train", ["--model", "mobilefacenet", "--data", Data, $"--{option}", cliValue])));
        Exception api = Assert.ThrowsAny<Exception>(() =>
            Planner(PlanningHost.Portal(devicesHere: true)).PlanTraining(FromApi($$"""{"model":"mobilefacenet","trainingSet":"{{Data}}",{{apiMember}}}""")));
        Assert.IsAssignableFrom<ArgumentException>(cli);
        // A name that is no name fails while the body is read (the API answers 400 with the message); a number out of range when planned.
        Assert.True(api is ArgumentException or JsonException, api.ToString());
        Assert.StartsWith(error, cli.Message);
        Assert.StartsWith(error, api.Message);
    }

    [Fact]
    public void Files_of_the_host_are_named_by_the_cli_only()
    {
        var request = FromApi($$"""{"model":"mobilefacenet","trainingSet":"{{Data}}","initWeights":"/etc/passwd","teacherRun":"/"}""");
        Assert.Null(request.InitWeights); // not in the API's JSON at all
        Assert.Null(request.TeacherRun);
        var error = Assert.Throws<ArgumentException>(() => Planner(PlanningHost.Portal(true)).PlanTraining(request with { InitWeights = "/etc/passwd" }));
        Assert.Equal("init weights: set by the CLI only", error.Message);
        var recipe = Assert.Throws<ArgumentException>(() => Planner(PlanningHost.Portal(true)).PlanTraining(request with { Recipe = "/etc/recipe.json" }));
        Assert.StartsWith("recipe: '/etc/recipe.json' is not one of", recipe.Message);
    }

    [Fact]
    public void A_search_from_the_cli_and_from_the_api_plans_to_the_references_defaults()
    {
        SearchRequest cli = SearchCommand.ReadRequest(new Arguments("search", ["--data", Data, "--epochs", "2", "--first-order"]));
        SearchRequest api = JsonSerializer.Deserialize<SearchRequest>($$"""{"trainingSet":"{{Data}}","epochs":2,"secondOrder":false}""", Api)!;
        var fromCli = Planner(PlanningHost.Cli).PlanSearch(cli).Options;
        var fromApi = Planner(PlanningHost.Cli).PlanSearch(api).Options;
        Assert.Equal(JsonSerializer.Serialize(fromCli, EventLog.JsonOptions), JsonSerializer.Serialize(fromApi, EventLog.JsonOptions));
        Assert.Equal((2, 128, 16, 8, false, 2), (fromApi.Epochs, fromApi.BatchSize, fromApi.Channels, fromApi.Cells, fromApi.SecondOrder, fromApi.Seed));
    }

    private static string TinyGenotype => PocketNet.Models.SearchSpace.Genotype.PocketNet.ToString();
}
