using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;

namespace PocketNet.Onnx.Tests;

/// <summary>ONNX Runtime sessions: metadata, options, and the errors a user meets (bad files, wrong shapes, no CUDA, no library).</summary>
public sealed class OnnxSessionTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _folder = new();
    private readonly string _model;

    public OnnxSessionTests(ITestOutputHelper output)
    {
        _output = output;
        _model = Path.Combine(_folder.Path, "model.onnx");
        using Module<Tensor, Tensor> network = TestNetworks.Build(TestNetworks.EveryPrimitiveConfig);
        OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, _model);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Session_reads_the_interface_and_metadata_of_an_exported_model()
    {
        using OnnxSession session = OnnxSession.Open(_model);
        _output.WriteLine($"{session} with ONNX Runtime {OnnxRuntime.Version} ({string.Join(", ", OnnxRuntime.AvailableProviders)})");
        Assert.StartsWith("1.32", OnnxRuntime.Version);
        Assert.Contains("CPUExecutionProvider", OnnxRuntime.AvailableProviders);
        Assert.Equal("input", session.InputName);
        Assert.Equal("embedding", session.OutputName);
        Assert.Equal(64, session.OutputSize);
        Assert.Equal("PocketNet Portal", session.ProducerName);
        Assert.Equal("64", session.Metadata["embedding_size"]);
        Assert.Equal("(x/255-0.5)/0.5 RGB", session.Metadata["input_normalization"]);
        Assert.Equal("every-primitive", session.Metadata["model_name"]);
    }

    [Theory]
    [InlineData(GraphOptimizationLevel.Disabled, 1)]
    [InlineData(GraphOptimizationLevel.Basic, 0)]
    [InlineData(GraphOptimizationLevel.Extended, 2)]
    public void Every_optimisation_level_and_thread_count_gives_the_same_embeddings(GraphOptimizationLevel level, int threads)
    {
        float[] images = TestNetworks.Images(2);
        using OnnxSession reference = OnnxSession.Open(_model);
        using OnnxSession session = OnnxSession.Open(_model, new OnnxSessionOptions { OptimizationLevel = level, IntraOpThreads = threads, InterOpThreads = threads });
        Assert.True(TestNetworks.MaxAbsDifference(reference.Run(images, 2), session.Run(images, 2)) < 1e-5);
    }

    [Fact]
    public void Model_bytes_load_as_the_file_does()
    {
        float[] images = TestNetworks.Images(1);
        using OnnxSession fromFile = OnnxSession.Open(_model);
        using OnnxSession fromBytes = OnnxSession.Load(File.ReadAllBytes(_model));
        Assert.Equal(fromFile.Run(images, 1), fromBytes.Run(images, 1));
    }

    [Fact]
    public void A_truncated_file_is_a_clear_error()
    {
        byte[] bytes = File.ReadAllBytes(_model);
        string truncated = Path.Combine(_folder.Path, "truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(truncated));
        _output.WriteLine(error.Message);
        Assert.Contains("truncated.onnx", error.Message);
        Assert.Contains("could not load", error.Message);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(error.InnerException);
    }

    [Fact]
    public void Random_bytes_are_a_clear_error()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        string garbage = Path.Combine(_folder.Path, "garbage.onnx");
        File.WriteAllBytes(garbage, bytes);
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(garbage));
        _output.WriteLine(error.Message);
        Assert.Contains("garbage.onnx", error.Message);
        var fromBytes = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load(bytes));
        _output.WriteLine(fromBytes.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => OnnxSession.Open(Path.Combine(_folder.Path, "absent.onnx")));
        Assert.Contains("absent.onnx", error.Message);
    }

    [Fact]
    public void A_wrong_input_shape_is_a_clear_error_from_onnx_runtime()
    {
        using OnnxSession session = OnnxSession.Open(_model);
        var small = Assert.Throws<OnnxRuntimeException>(() => session.Run(new float[2 * 3 * 100 * 100], [2, 3, 100, 100]));
        _output.WriteLine(small.Message);
        Assert.Contains("[2, 3, 100, 100]", small.Message);
        Assert.Contains("input", small.Message);
        Assert.Contains("InvalidArgument", small.Message); // ONNX Runtime's own code and words follow ours
        Assert.Contains("Expected: 112", small.Message);
        var gray = Assert.Throws<OnnxRuntimeException>(() => session.Run(new float[2 * 112 * 112], [2, 1, 112, 112]));
        _output.WriteLine(gray.Message);
        var flat = Assert.Throws<OnnxRuntimeException>(() => session.Run(new float[3 * 112 * 112], [3 * 112 * 112]));
        _output.WriteLine(flat.Message);
    }

    [Fact]
    public void A_wrong_input_length_is_refused_before_running()
    {
        using OnnxSession session = OnnxSession.Open(_model);
        var error = Assert.Throws<ArgumentException>(() => session.Run(new float[3 * 112 * 112 + 5], 1));
        Assert.Contains("needs 37632", error.Message);
        Assert.Throws<ArgumentException>(() => session.Run(new float[10], [2, 3, 112, 112]));
    }

    [Fact]
    public void A_fixed_batch_model_refuses_another_batch_size()
    {
        string path = Path.Combine(_folder.Path, "fixed.onnx");
        using (Module<Tensor, Tensor> network = TestNetworks.Build(TestNetworks.EveryPrimitiveConfig))
            OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, path, new OnnxExportOptions { DynamicBatch = false, BatchSize = 2 });
        using OnnxSession session = OnnxSession.Open(path);
        Assert.Equal([2, 3, 112, 112], session.InputShape);
        Assert.Equal(2 * 64, session.Run(TestNetworks.Images(2), 2).Length);
        Assert.Throws<ArgumentException>(() => session.Run(TestNetworks.Images(3), 3));
        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(TestNetworks.Images(3), [3, 3, 112, 112]));
        _output.WriteLine(error.Message);
    }

    [Fact]
    public void Cuda_runs_where_onnx_runtime_has_it_and_is_a_clear_error_elsewhere()
    {
        float[] images = TestNetworks.Images(2);
        try
        {
            using OnnxSession session = OnnxSession.Open(_model, new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda });
            Assert.Contains(OnnxRuntime.CudaProvider, OnnxRuntime.AvailableProviders);
            using OnnxSession cpu = OnnxSession.Open(_model);
            Assert.True(TestNetworks.MaxAbsDifference(cpu.Run(images, 2), session.Run(images, 2)) < 1e-3);
        }
        catch (OnnxRuntimeException error)
        {
            _output.WriteLine(error.Message);
            Assert.Contains("CUDA", error.Message);
            // The CPU package: the error says which build has the provider.
            if (!OnnxRuntime.AvailableProviders.Contains(OnnxRuntime.CudaProvider)) Assert.Contains("-p:OnnxRuntimeGpu=true", error.Message);
        }
    }

    [Fact]
    public void A_disposed_session_refuses_to_run()
    {
        OnnxSession session = OnnxSession.Open(_model);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(TestNetworks.Images(1), 1));
    }

    [Fact]
    public void Concurrent_runs_on_one_session_agree()
    {
        using OnnxSession session = OnnxSession.Open(_model);
        float[] images = TestNetworks.Images(1);
        float[] expected = session.Run(images, 1);
        Parallel.For(0, 8, _ => Assert.Equal(expected, session.Run(images, 1)));
    }

    [Fact]
    public void Running_into_the_callers_buffer_gives_what_run_returns()
    {
        float[] images = TestNetworks.Images(3);
        using OnnxSession session = OnnxSession.Open(_model);
        var into = new float[3 * 64];
        session.Run(images, 3, into);
        Assert.Equal(session.Run(images, 3), into);
        Assert.Throws<ArgumentException>(() => session.Run(images, 3, new float[3 * 64 - 1]));
    }

    [Fact]
    public void Profiling_writes_a_trace_of_the_runs_where_asked()
    {
        string prefix = Path.Combine(_folder.Path, "profiles", "eval");
        string? file;
        using (OnnxSession session = OnnxSession.Open(_model, new OnnxSessionOptions { ProfileOutputPrefix = prefix }))
        {
            session.Run(TestNetworks.Images(1), 1);
            file = session.EndProfiling();
            Assert.Equal(file, session.EndProfiling());
        }
        _output.WriteLine(file);
        Assert.NotNull(file);
        Assert.StartsWith(prefix, file);
        using var trace = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        // A Chrome trace: one event per kernel run, named after its node, e.g. a convolution of the exported graph.
        var kernels = trace.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("args").TryGetProperty("op_name", out _))
            .Select(e => e.GetProperty("args").GetProperty("op_name").GetString()).ToList();
        Assert.Contains("Conv", kernels);

        using OnnxSession quiet = OnnxSession.Open(_model);
        Assert.Null(quiet.EndProfiling());
    }

    [Theory]
    [InlineData("all", GraphOptimizationLevel.All)]
    [InlineData("Extended", GraphOptimizationLevel.Extended)]
    [InlineData("BASIC", GraphOptimizationLevel.Basic)]
    [InlineData("disabled", GraphOptimizationLevel.Disabled)]
    public void Optimisation_levels_read_by_name(string text, GraphOptimizationLevel level) =>
        Assert.Equal(level, OnnxSessionOptions.ParseLevel(text));

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("layout")]
    public void Unknown_optimisation_levels_are_refused_with_the_accepted_names(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxSessionOptions.ParseLevel(text));
        Assert.Contains("all, extended, basic, disabled", error.Message);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_before_onnx_runtime_sees_them()
    {
        Assert.Throws<ArgumentException>(() => OnnxSession.Open(_model, new OnnxSessionOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentException>(() => OnnxSession.Open(_model, new OnnxSessionOptions { ProfileOutputPrefix = "" }));
    }

    [Fact]
    public void The_device_picks_the_execution_provider_this_build_has()
    {
        var options = new OnnxSessionOptions { IntraOpThreads = 3 };
        var cuda = new OnnxSessionOptions { IntraOpThreads = 3, ExecutionProvider = OnnxExecutionProvider.Cuda, CudaDeviceId = 1 };
        bool gpuBuild = OnnxRuntime.AvailableProviders.Contains(OnnxRuntime.CudaProvider);
        Assert.Equal(gpuBuild ? cuda : options, options.On(Device.Cuda(1)));
        Assert.Equal(options, cuda.On(Device.Cpu));
    }

    [Fact]
    public void Registry_models_export_with_their_registered_embedding_size()
    {
        // pocketnet-m-256 through the registry name, as the CLI's export verb will do it
        ModelConfig config = ModelRegistry.Resolve("pocketnet-m-256");
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string path = Path.Combine(_folder.Path, "m256.onnx");
        OnnxExporter.Export(network, config, path);
        using OnnxSession session = OnnxSession.Open(path);
        Assert.Equal(256, session.OutputSize);
        Assert.Equal("pocketnet-m-256", session.Metadata["model_name"]);
    }
}
