using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// Issue #5's browser flow, as a researcher meets it: sign in on the dashboard, start a tiny run on SynthFaces,
/// watch its progress bar advance live until it succeeds, find the model on the synthetic leaderboard (and not on
/// the real one), see its point on the accuracy-against-size chart, and download its zip with matching checksums.
/// </summary>
public sealed partial class ResearcherFlowTests(PortalInBrowser browser, ITestOutputHelper output) : IClassFixture<PortalInBrowser>
{
    private static readonly string[] ZipFiles = ["weights.safetensors", "config.json", "model.onnx", "results.json", "MODEL_CARD.md", "SHA256SUMS"];

    [Fact]
    public async Task A_researcher_trains_a_tiny_model_ranks_it_charts_it_and_downloads_it()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        string runName = $"browser-tiny-{Guid.NewGuid().ToString("N")[..6]}";
        int jobId = 0, modelId = 0;

        await session.StepAsync("open the dashboard and sign in", async () =>
        {
            await session.GoToAsync("");
            await Expect(page.Locator("#new-run-form"), "a signed-out visitor must not get the new-run form").ToHaveCountAsync(0);
            await PortalPages.SignInAsync(page);
            await Expect(page.Locator("#new-run-form"), "the signed-in admin should see the new-run form on the dashboard").ToBeVisibleAsync();
        });

        await session.StepAsync("start a tiny run on SynthFaces through the new-run form", async () =>
        {
            ILocator form = page.Locator("#new-run-form");
            await form.Locator("#run-name").FillAsync(runName);
            await form.Locator("#run-model").SelectOptionAsync(new SelectOptionValue { Value = "" });
            await form.Locator("#run-genotype").FillAsync(TinyRuns.Genotype);
            await form.Locator("#run-channels").FillAsync("4");
            await form.Locator("#run-cells").FillAsync("4");
            await form.Locator("#run-embedding").FillAsync("32");
            await form.Locator("#run-training-set").SelectOptionAsync(new SelectOptionValue { Value = "SynthFaces" });
            await form.Locator("#run-epochs").FillAsync("3");
            await form.Locator("#run-batch").FillAsync("8");
            await SetAsync(form.Locator("#run-device"), "cpu");
            await form.Locator("#run-benchmark-synth_lfw").CheckAsync();
            await form.Locator("#run-validation-synth_lfw").CheckAsync();
            await form.Locator("#run-submit").ClickAsync();
            try
            {
                await page.WaitForURLAsync(RunPage(), new() { Timeout = 30_000 });
            }
            catch (TimeoutException)
            {
                ILocator error = page.Locator("#run-error");
                string why = await error.CountAsync() > 0 ? $"#run-error says: {await error.InnerTextAsync()}" : "no #run-error shown";
                Assert.Fail($"submitting the new-run form did not lead to a run page (runs/ID) ({why})");
            }
            jobId = int.Parse(RunPage().Match(page.Url).Groups[1].Value);
            await Expect(page.Locator("#run-state")).ToBeVisibleAsync();
            await Expect(page.Locator("#run-progress .progress[data-progress]")).ToBeVisibleAsync();
        });

        await session.StepAsync("watch its progress bar advance live until the run succeeds", async () =>
        {
            string mark = await PortalPages.MarkDocumentAsync(page);
            PortalPages.ProgressWatch watch = await PortalPages.WatchProgressAsync(page, "#run-progress .progress[data-progress]",
                "document.querySelector('#run-state')?.textContent");
            output.WriteLine($"run {jobId}: the run page's progress bar showed {watch}");
            watch.AssertAdvancedTo100($"run {jobId} on its run page", await browser.DescribeJobAsync(jobId));
            await Expect(page.Locator("#run-state"), $"run {jobId} should end Succeeded").ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
            await PortalPages.AssertNotReloadedAsync(page, mark);
            ILocator modelLink = page.Locator("#run-model-link");
            await Expect(modelLink, "the finished run should link to the model it registered").ToBeVisibleAsync();
            string href = await modelLink.GetAttributeAsync("href") ?? "";
            Match model = ModelLink().Match(href);
            Assert.True(model.Success, $"#run-model-link points to '{href}', not to models/ID");
            modelId = int.Parse(model.Groups[1].Value);
        });

        await session.StepAsync("find its row on the synthetic leaderboard", async () =>
        {
            await session.GoToAsync("leaderboard?scope=synthetic");
            ILocator row = page.Locator($"#leaderboard tr[data-model='{modelId}']");
            await Expect(row, $"model {modelId} ({runName}) should have a row on the synthetic leaderboard").ToBeVisibleAsync();
            await Expect(row).ToContainTextAsync(runName);
        });

        await session.StepAsync("its row is not on the real leaderboard", async () =>
        {
            await page.Locator("#scope-real").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("scope=real"));
            await Expect(page.Locator("#leaderboard"), "the real leaderboard should be shown").ToBeVisibleAsync();
            await Expect(page.Locator($"#leaderboard tr[data-model='{modelId}']"), $"model {modelId}, trained and evaluated on synthetic data only, must not be ranked among real results")
                .ToHaveCountAsync(0);
        });

        await session.StepAsync("see its point on the chart", async () =>
        {
            await session.GoToAsync("chart?benchmark=synth_lfw");
            await PortalPages.WaitForChartAsync(page, "tradeoff-chart");
            ILocator chart = page.Locator("#tradeoff-chart-plot");
            string found = await chart.EvaluateAsync<string>(FindPointScript, runName);
            ChartPoint? point = PortalPages.Read<ChartPoint?>(found);
            Assert.True(point is not null, $"no trace of #tradeoff-chart names {runName} in its text (the chart's traces: {await chart.EvaluateAsync<string>(DescribeTracesScript)})");
            Assert.True(point.X > 0 && point.Y is >= 0 and <= 100, $"{runName}'s point should have its size (> 0) on x and an accuracy on y: {found}");
            Assert.True(point.DrawnPoints > 0 && point.Width > 0, $"plotly drew no marker for {runName}'s point: {found}");
        });

        await session.StepAsync("a click on its point opens its model page", async () =>
        {
            string found = await page.Locator("#tradeoff-chart-plot").EvaluateAsync<string>(FindPointScript, runName);
            ChartPoint point = PortalPages.Read<ChartPoint?>(found)!;
            await page.Mouse.ClickAsync(point.Left + point.Width / 2, point.Top + point.Height / 2);
            await Expect(page, $"a click on {runName}'s point should open models/{modelId}").ToHaveURLAsync(
                new System.Text.RegularExpressions.Regex($"/models/{modelId}$"), new() { Timeout = 15_000 });
        });

        await session.StepAsync("download its zip from the model page and check the files inside", async () =>
        {
            await session.GoToAsync($"models/{modelId}");
            ILocator link = page.Locator("#download-zip");
            await Expect(link, "the model page should offer the model's zip").ToBeVisibleAsync();
            IDownload download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
            string? failure = await download.FailureAsync();
            Assert.True(failure is null, $"downloading the zip failed: {failure}");
            string zipPath = session.KeepFile(download.SuggestedFilename is { Length: > 0 } name ? name : $"model-{modelId}.zip");
            await download.SaveAsAsync(zipPath);
            CheckZip(zipPath, runName);
        });
    }

    /// <summary>The zip holds the model's files, its checksum manifest covers every other file, and every sum matches.</summary>
    private static void CheckZip(string zipPath, string runName)
    {
        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        var contents = zip.Entries.ToDictionary(e => e.FullName, Bytes);
        string listing = string.Join(", ", contents.Keys);
        foreach (string file in ZipFiles)
            Assert.True(contents.TryGetValue(file, out byte[]? bytes) && bytes.Length > 0, $"{zipPath} should hold a non-empty {file}; it holds {listing}");

        var sums = new Dictionary<string, string>();
        foreach (string line in System.Text.Encoding.UTF8.GetString(contents["SHA256SUMS"]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Match entry = SumLine().Match(line);
            Assert.True(entry.Success, $"SHA256SUMS line '{line}' is not '<sha256>  <file>'");
            sums[entry.Groups[2].Value] = entry.Groups[1].Value;
        }
        foreach (string file in contents.Keys.Where(f => f != "SHA256SUMS"))
        {
            Assert.True(sums.TryGetValue(file, out string? expected), $"SHA256SUMS does not list {file} (it lists {string.Join(", ", sums.Keys)})");
            string actual = Convert.ToHexStringLower(SHA256.HashData(contents[file]));
            Assert.True(actual == expected, $"{file}: SHA256SUMS says {expected}, the file hashes to {actual}");
        }
        foreach (string listed in sums.Keys)
            Assert.True(contents.ContainsKey(listed), $"SHA256SUMS lists {listed}, which the zip does not hold");

        using JsonDocument results = JsonDocument.Parse(contents["results.json"]);
        string resultsText = results.RootElement.GetRawText();
        Assert.True(resultsText.Contains("synth_lfw", StringComparison.Ordinal), $"results.json should hold the synth_lfw result: {resultsText[..Math.Min(400, resultsText.Length)]}");
        using JsonDocument config = JsonDocument.Parse(contents["config.json"]);
        Assert.Equal(JsonValueKind.Object, config.RootElement.ValueKind);
        string card = System.Text.Encoding.UTF8.GetString(contents["MODEL_CARD.md"]);
        Assert.True(card.Contains(runName, StringComparison.Ordinal) && card.Contains("synthetic", StringComparison.OrdinalIgnoreCase),
            $"MODEL_CARD.md should name {runName} and say its data is synthetic:\n{card[..Math.Min(600, card.Length)]}");
    }

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Sets a field that may be a select or a text input (the device field may be either).</summary>
    private static async Task SetAsync(ILocator field, string value)
    {
        if (await field.EvaluateAsync<string>("e => e.tagName") == "SELECT") await field.SelectOptionAsync(new SelectOptionValue { Value = value });
        else await field.FillAsync(value);
    }

    /// <summary>
    /// The point whose text names the model, from the figure plotly drew (the graph element's data), with its marker's
    /// place on the screen, as JSON.
    /// </summary>
    private const string FindPointScript = """
        (element, name) => {
          const traces = element.data || [];
          const drawnPoints = element.querySelectorAll('.scatterlayer .point').length;
          for (let t = 0; t < traces.length; t++) {
            const trace = traces[t];
            const texts = Array.isArray(trace.text) ? trace.text : [trace.text];
            for (let i = 0; i < texts.length; i++) {
              if (!String(texts[i] ?? '').includes(name)) continue;
              const at = (values) => Array.isArray(values) ? values[i] : values;
              const marker = element.querySelectorAll('.scatterlayer .trace')[t]?.querySelectorAll('.point')[i];
              const box = marker ? marker.getBoundingClientRect() : { left: 0, top: 0, width: 0, height: 0 };
              return JSON.stringify({ trace: trace.name ?? '', text: String(texts[i]), x: Number(at(trace.x)), y: Number(at(trace.y)),
                drawnPoints: drawnPoints, left: box.left, top: box.top, width: box.width, height: box.height });
            }
          }
          return 'null';
        }
        """;

    private const string DescribeTracesScript = """
        element => JSON.stringify((element.data || []).map(t => ({ name: t.name, type: t.type, mode: t.mode, text: t.text })))
        """;

    private sealed record ChartPoint(string Trace, string Text, double X, double Y, int DrawnPoints, float Left, float Top, float Width, float Height);

    [GeneratedRegex(@"/runs/(\d+)$")]
    private static partial Regex RunPage();

    [GeneratedRegex(@"(?:^|/)models/(\d+)$")]
    private static partial Regex ModelLink();

    [GeneratedRegex(@"^([0-9a-f]{64})  (\S.*)$")]
    private static partial Regex SumLine();
}
