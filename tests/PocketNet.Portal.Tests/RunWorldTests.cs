using System.Text.Json;
using PocketNet.Application.Planning;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Tests;

/// <summary>
/// What the run page's processes panel is made of: each rank's last step event read from the end of its events file,
/// and the world size a request asks for; and the planner's rules for several processes on one host.
/// </summary>
public sealed class RunWorldTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static string Step(long globalStep, double imagesPerSecond) => JsonSerializer.Serialize<TrainingEvent>(
        new StepProgress(1, 1, (int)globalStep, 100, globalStep, 100, new Dictionary<string, double> { ["total"] = 1 }, 0.1, imagesPerSecond, TimeSpan.Zero),
        EventLog.JsonOptions);

    private static string Message(string text) => JsonSerializer.Serialize<TrainingEvent>(new RunMessage(text), EventLog.JsonOptions);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_temp.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void The_last_step_is_found_behind_later_messages_and_a_line_still_being_written()
    {
        string path = Write("events.jsonl", string.Join("\n", Step(1, 10.5), Step(2, 12.25), Message("epoch 1 done"), Message("evaluating")) + "\n"
                                            + Step(3, 99)[..20]);
        StepProgress last = EventsFile.LastStep(path)!;
        Assert.Equal(2, last.GlobalStep);
        Assert.Equal(12.25, last.ImagesPerSecond);
    }

    [Fact]
    public void A_step_beyond_the_first_window_is_read_from_a_larger_one_and_a_cut_line_is_never_parsed()
    {
        // A step, then 100 KiB of messages: past the 64 KiB first look, within the limit.
        string filler = string.Concat(Enumerable.Range(0, 1000).Select(i => Message($"message {i} " + new string('x', 80)) + "\n"));
        string path = Write("long.jsonl", Step(7, 3.5) + "\n" + filler);
        Assert.Equal(7, EventsFile.LastStep(path)!.GlobalStep);
        // With a limit that cuts through the step's own line, that line is not read: no step.
        int limit = filler.Length + Step(7, 3.5).Length / 2;
        Assert.Null(EventsFile.LastStep(path, limit));
    }

    [Fact]
    public void No_file_or_no_step_is_no_speed()
    {
        Assert.Null(EventsFile.LastStep(Path.Combine(_temp.Path, "none.jsonl")));
        Assert.Null(EventsFile.LastStep(Write("empty.jsonl", "")));
        Assert.Null(EventsFile.LastStep(Write("messages.jsonl", Message("a") + "\n" + Message("b") + "\n")));
    }

    [Fact]
    public void The_world_reads_rank_0_from_the_run_events_and_rank_r_from_its_own_log()
    {
        string run = Path.Combine(_temp.Path, "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "events.jsonl"), Step(4, 20) + "\n" + Message("registering") + "\n");
        File.WriteAllText(Path.Combine(run, "events-rank1.jsonl"), Step(3, 18) + "\n" + Step(4, 19) + "\n");
        var job = new JobRecord
        {
            Id = 3, Kind = JobKind.Training, Title = "t", Device = "cpu", Queue = "cpu", RunFolder = run,
            RequestJson = JsonSerializer.Serialize(TinyRuns.Training() with { Processes = 3 }, StoreJson.Requests),
        };
        RunWorld world = RunWorld.Of(job);
        Assert.Equal(3, world.WorldSize);
        Assert.Equal([20, 19, null], world.Ranks.Select(r => r.ImagesPerSecond));
        Assert.Equal([4, 4, null], world.Ranks.Select(r => r.GlobalStep));
        Assert.Null(world.TotalImagesPerSecond); // rank 2 has not reported yet

        File.WriteAllText(Path.Combine(run, "events-rank2.jsonl"), Step(4, 21) + "\n");
        Assert.Equal(60, RunWorld.Of(job).TotalImagesPerSecond);
    }

    [Fact]
    public void Jobs_that_name_no_processes_are_a_world_of_one()
    {
        var old = new JobRecord { Kind = JobKind.Training, Title = "t", Device = "cpu", Queue = "cpu", RequestJson = """{"trainingSet":"SynthFaces"}""" };
        Assert.Equal(1, RunWorld.WorldSizeOf(old));
        var search = new JobRecord { Kind = JobKind.Search, Title = "s", Device = "cpu", Queue = "cpu", RequestJson = """{"processes":4}""" };
        Assert.Equal(1, RunWorld.WorldSizeOf(search));
    }

    [Fact]
    public void Several_processes_share_the_cpu_up_to_its_cores()
    {
        Assert.Equal("cpu", JobPlanner.ResolveTrainingDevice("cpu", Environment.ProcessorCount));
        var error = Assert.Throws<ArgumentException>(() => JobPlanner.ResolveTrainingDevice("cpu", Environment.ProcessorCount + 1));
        Assert.StartsWith("processes: ", error.Message);
    }

    [Fact]
    public void Several_processes_take_a_gpu_each_so_their_device_names_no_single_gpu()
    {
        // A web host cannot see its workers' devices: it keeps auto, and plain cuda means "cuda:LOCAL_RANK" for each rank.
        Assert.Equal("auto", JobPlanner.ResolveTrainingDevice("auto", 8, onThisHost: false));
        Assert.Equal("auto", JobPlanner.ResolveTrainingDevice(null!, 8, onThisHost: false)); // "device": null in the JSON
        Assert.Equal("cuda", JobPlanner.ResolveTrainingDevice("cuda", 8, onThisHost: false));
        Assert.Equal("cuda:0", JobPlanner.ResolveTrainingDevice("cuda", 1, onThisHost: false));
        var named = Assert.Throws<ArgumentException>(() => JobPlanner.ResolveTrainingDevice("cuda:1", 2, onThisHost: false));
        Assert.StartsWith("processes: ", named.Message);
        // On this host: auto is the CPU without GPUs, one GPU per process with enough of them, else refused.
        int gpus = Engine.CudaDeviceCount;
        if (gpus == 0) Assert.Equal("cpu", JobPlanner.ResolveTrainingDevice("auto", 2));
        else if (gpus >= 2) Assert.Equal("cuda", JobPlanner.ResolveTrainingDevice("auto", 2));
        var beyond = Assert.Throws<ArgumentException>(() => JobPlanner.ResolveTrainingDevice("cuda", gpus + 1));
        Assert.StartsWith(gpus == 0 ? "device: " : "processes: ", beyond.Message);
    }

    public void Dispose() => _temp.Dispose();
}
