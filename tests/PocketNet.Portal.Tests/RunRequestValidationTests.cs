using System.Net;
using System.Net.Http.Json;
using System.Text;
using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Portal.Api;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Tests;

/// <summary>POST /api/runs refuses impossible training requests with 400 and a problem that names the field; nothing is queued.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class RunRequestValidationTests(IdlePortal idle)
{
    private static readonly TrainingRequest Valid = TinyRuns.Training();

    private static readonly TrainingRequest RegistryModel = Valid with { Genotype = null, Channels = null, Cells = null, Model = "pocketnet-s-128" };

    private static readonly Dictionary<string, (TrainingRequest Request, string[] Mentions)> BadRequestCases = new()
    {
        ["unknown model"] = (RegistryModel with { Model = "pocketnet-xl" }, ["model", "pocketnet-xl"]),
        ["neither model nor genotype"] = (RegistryModel with { Model = null }, ["model:", "genotype"]),
        ["width given with a registry model"] = (RegistryModel with { Channels = 8 }, ["channels", "genotype"]),
        ["genotype that does not parse"] = (Valid with { Genotype = "Genotype(normal=[[('warp_drive', 0)]])" }, ["genotype:"]),
        ["cells below 4"] = (Valid with { Cells = 3 }, ["cells:", "3"]),
        ["channels below 2"] = (Valid with { Channels = 1 }, ["channels:", "1"]),
        ["embedding size 0"] = (Valid with { EmbeddingSize = 0 }, ["embedding size:", "0"]),
        ["negative embedding size"] = (RegistryModel with { EmbeddingSize = -5 }, ["embedding size:", "-5"]),
        ["embedding size above the limit"] = (Valid with { EmbeddingSize = JobPlanner.MaxEmbedding + 1 }, ["embedding size:"]),
        ["milestone 0"] = (Valid with { Milestones = [0] }, ["milestones"]),
        ["epochs 0"] = (Valid with { Epochs = 0 }, ["epochs:", "0"]),
        ["epochs above the limit"] = (Valid with { Epochs = JobPlanner.MaxEpochs + 1 }, ["epochs:"]),
        ["batch 1"] = (Valid with { BatchSize = 1 }, ["batch size:", "1"]),
        ["learning rate 0"] = (Valid with { LearningRate = 0 }, ["learning rate:"]),
        ["unknown training set"] = (Valid with { TrainingSet = "MS9V9" }, ["training set", "MS9V9", "SynthFaces"]),
        ["unknown benchmark"] = (Valid with { Benchmarks = ["synth_nope"] }, ["benchmarks:", "synth_nope"]),
        ["benchmark that is not there"] = (Valid with { Benchmarks = ["lfw"] }, ["benchmarks:", "lfw", "missing"]),
        ["validation on an IJB benchmark"] = (Valid with { Validation = ["synth_ijb"] }, ["validation:", "pair"]),
        ["validation on a benchmark that is not there"] = (Valid with { Validation = ["cfp_fp"] }, ["validation:", "cfp_fp"]),
        ["device that does not exist"] = (Valid with { Device = "gpu" }, ["device:", "gpu"]),
        ["CUDA device beyond the host's"] = (Valid with { Device = "cuda:63" }, ["device:", "cuda:63"]),
        ["no processes"] = (Valid with { Processes = 0 }, ["processes:", "0"]),
        ["more processes than the host has cores"] = (Valid with { Processes = Environment.ProcessorCount + 1 }, ["processes:", "CPU core", $"has {Environment.ProcessorCount}"]),
        ["more processes than any host has GPUs"] = (Valid with { Processes = JobPlanner.MaxProcesses + 1, Device = "cuda" }, ["processes:", $"1..{JobPlanner.MaxProcesses}"]),
        ["several processes on one named GPU"] = (Valid with { Processes = 2, Device = "cuda:0" }, ["processes:", "cuda:0", "cuda or auto"]),
        ["kd without a teacher"] = (Valid with { Mode = TrainingMode.Distillation }, ["teacher:", "kd"]),
        ["multi-step kd without a teacher"] = (Valid with { Mode = TrainingMode.MultiStepDistillation }, ["teacher:"]),
        ["teacher that does not exist"] = (Valid with { Mode = TrainingMode.Distillation, TeacherModelId = 987654 }, ["teacherModelId", "987654"]),
        ["momentum of 1"] = (Valid with { Momentum = 1 }, ["momentum:", "1"]),
        ["negative gradient clip"] = (Valid with { GradientClip = -1 }, ["gradient clip:", "-1"]),
    };

    public static TheoryData<string> BadRequests => new(BadRequestCases.Keys);

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Impossible_training_requests_are_refused_naming_the_field(string why)
    {
        var (request, mentions) = BadRequestCases[why];
        int jobs = await CountJobsAsync();
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/runs", request);
        Problem problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.False(string.IsNullOrEmpty(problem.Title), why);
        Assert.Equal(jobs, await CountJobsAsync());
    }

    [Theory]
    [InlineData("  ")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_blank_name_gives_the_run_its_default_title(string? name)
    {
        JobView job = await Problems.ReadAsync<JobView>(
            await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("x", epochs: 1) with { Name = name }), HttpStatusCode.Accepted);
        try
        {
            Assert.Equal("cell network C=4 cells=4 emb=32 ArcFace on SynthFaces", job.Title);
        }
        finally
        {
            await idle.Admin.PostAsync($"/api/runs/{job.Id}/cancel", null);
            await PortalFactory.WaitForJobAsync(idle.Admin, job.Id);
        }
    }

    [Fact]
    public async Task A_given_name_is_trimmed_into_the_title()
    {
        JobView job = await Problems.ReadAsync<JobView>(
            await idle.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("  my run  ", epochs: 1)), HttpStatusCode.Accepted);
        await idle.Admin.PostAsync($"/api/runs/{job.Id}/cancel", null);
        await PortalFactory.WaitForJobAsync(idle.Admin, job.Id);
        Assert.Equal("my run", job.Title);
    }

    public static TheoryData<string, string, string[]> MalformedBodies => new()
    {
        { "not JSON", "{ this is not json", ["JSON"] },
        { "a number where a count belongs", """{"trainingSet":"SynthFaces","model":"pocketnet-s-128","epochs":"two"}""", ["epochs"] },
        { "the required training set missing", """{"model":"pocketnet-s-128","epochs":1}""", ["trainingSet"] },
        { "a list where a name belongs", """{"trainingSet":["SynthFaces"],"model":"pocketnet-s-128"}""", ["trainingSet"] },
        { "null body", "null", ["body"] },
        { "a mode that is no mode", """{"trainingSet":"SynthFaces","model":"pocketnet-s-128","mode":"softmax"}""", ["mode:", "'softmax' is not arcface, cosface, kd or multistep-kd"] },
        { "a precision that is no precision", """{"trainingSet":"SynthFaces","model":"pocketnet-s-128","precision":"fp8"}""", ["precision:", "fp8"] },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_json_bodies_are_refused_with_a_problem_naming_what_is_wrong(string why, string body, string[] mentions)
    {
        int jobs = await CountJobsAsync();
        HttpResponseMessage response = await idle.Admin.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"));
        Problem problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.False(string.IsNullOrEmpty(problem.Detail), why);
        Assert.Equal(jobs, await CountJobsAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_json_at_all_is_refused_as_the_wrong_media_type()
    {
        HttpResponseMessage response = await idle.Admin.PostAsync("/api/runs", new StringContent("model=pocketnet-s-128", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private static readonly Dictionary<string, (object Request, string[] Mentions)> BadSearchCases = new()
    {
        ["epochs 0"] = (new { trainingSet = "SynthFaces", epochs = 0, device = "cpu" }, ["epochs:"]),
        ["batch 1"] = (new { trainingSet = "SynthFaces", batchSize = 1, device = "cpu" }, ["batch size:"]),
        ["channels 1"] = (new { trainingSet = "SynthFaces", channels = 1, device = "cpu" }, ["channels:"]),
        ["cells 2"] = (new { trainingSet = "SynthFaces", cells = 2, device = "cpu" }, ["cells:"]),
        ["unknown training set"] = (new { trainingSet = "Nowhere", device = "cpu" }, ["training set", "Nowhere"]),
        ["bad device"] = (new { trainingSet = "SynthFaces", device = "abacus" }, ["device:", "abacus"]),
    };

    public static TheoryData<string> BadSearches => new(BadSearchCases.Keys);

    [Theory]
    [MemberData(nameof(BadSearches))]
    public async Task Impossible_searches_are_refused_naming_the_field(string why)
    {
        var (request, mentions) = BadSearchCases[why];
        int jobs = await CountJobsAsync();
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/searches", request);
        Problem problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.False(string.IsNullOrEmpty(problem.Title), why);
        Assert.Equal(jobs, await CountJobsAsync());
    }

    private async Task<int> CountJobsAsync() =>
        (await idle.Admin.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!.Count;
}
