using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// What a request costs the server's memory: a zip bomb uploaded for import, and a large model's zip downloaded.
/// They measure the whole process, so they run alone (after the other tests, none beside them).
/// </summary>
[Collection(Name)]
public sealed class MemoryBoundTests
{
    public const string Name = "memory measurements";

    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task A_zip_bomb_import_stays_within_a_bounded_memory_and_answers_a_short_error()
    {
        // Six allowed names, 250 MiB of zeros each: about 1.5 MB packed, 1.5 GB unpacked. The portal's real limit.
        using var portal = new PortalFactory { Settings = { ["Portal:MaxUploadMegabytes"] = "256" } };
        HttpClient admin = portal.CreateAdminClient();
        byte[] bomb = Bomb(["weights.safetensors", "model.onnx", "results.json", "MODEL_CARD.md", "SHA256SUMS", "config.json"], 250 * MiB);
        Assert.True(bomb.Length < 4 * MiB, $"the bomb packs to {bomb.Length:N0} bytes");

        using var process = Process.GetCurrentProcess();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        long workingSetBefore = process.WorkingSet64;
        long managedPeak = managedBefore, workingSetPeak = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));
                workingSetPeak = Math.Max(workingSetPeak, process.WorkingSet64);
                await Task.Delay(10);
            }
        });

        HttpResponseMessage response;
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(bomb), "file", "bomb.zip" }, { new StringContent("bomb"), "name" } })
            response = await admin.PostAsync("/api/models/import", form);
        await sampling.CancelAsync();
        await sampler;

        Problem problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "more than");
        Assert.True(problem.Detail!.Length < 300, $"the error is {problem.Detail.Length} characters: {problem.Detail}");
        Assert.DoesNotContain(portal.Home, problem.Detail);
        Assert.True(managedPeak - managedBefore < 256 * MiB, $"the managed heap grew by {(managedPeak - managedBefore) / MiB} MiB");
        Assert.True(workingSetPeak - workingSetBefore < 512 * MiB, $"the working set grew by {(workingSetPeak - workingSetBefore) / MiB} MiB");
        Assert.True(managedPeak < 1024 * MiB, $"the managed heap reached {managedPeak / MiB} MiB");
        Assert.Empty(Directory.GetFileSystemEntries(portal.Paths.Uploads));
        Assert.Empty(Directory.GetFileSystemEntries(portal.Paths.Models));
    }

    [Fact]
    public async Task A_model_zip_is_streamed_to_the_client_not_built_in_memory()
    {
        using var portal = new PortalFactory();
        HttpClient client = portal.CreateClient();
        // A model folder with 32 MiB of weights (random, so deflate cannot shrink them) and a config.
        string folder = portal.Paths.ModelFolder("big");
        Directory.CreateDirectory(folder);
        byte[] weights = RandomNumberGenerator.GetBytes((int)(32 * MiB));
        await File.WriteAllBytesAsync(Path.Combine(folder, "weights.safetensors"), weights);
        await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), "{}");
        int id;
        await using (PortalDbContext db = await portal.Store.CreateDbContextAsync())
        {
            var model = new ModelRecord
            {
                Name = "big", DisplayName = "big", Origin = ModelOrigin.Imported, Architecture = "PocketNet", EmbeddingSize = 32,
                Parameters = 8 * 1024 * 1024, Folder = folder, CreatedAt = DateTime.UtcNow,
            };
            db.Models.Add(model);
            await db.SaveChangesAsync();
            id = model.Id;
        }

        using var download = new TempDirectory();
        string zipPath = Path.Combine(download.Path, "big.zip");
        GC.Collect();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using (HttpResponseMessage response = await client.GetAsync($"/api/models/{id}/zip", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentLength);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            await using FileStream file = File.Create(zipPath);
            await body.CopyToAsync(file, 64 * 1024);
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(allocated < 16 * MiB, $"serving a zip of 32 MiB allocated {allocated / MiB} MiB");

        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        string sums = new StreamReader(zip.GetEntry("SHA256SUMS")!.Open()).ReadToEnd();
        Assert.Contains($"{Convert.ToHexStringLower(SHA256.HashData(weights))}  weights.safetensors", sums);
        using var copy = new MemoryStream();
        await using (Stream entry = zip.GetEntry("weights.safetensors")!.Open()) await entry.CopyToAsync(copy);
        Assert.Equal(weights, copy.ToArray());
    }

    private static byte[] Bomb(IEnumerable<string> names, long size)
    {
        var output = new MemoryStream();
        byte[] zeros = new byte[MiB];
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string name in names)
            {
                using Stream entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                for (long written = 0; written < size; written += zeros.Length) entry.Write(zeros);
            }
        }
        return output.ToArray();
    }
}

[CollectionDefinition(MemoryBoundTests.Name, DisableParallelization = true)]
public sealed class MemoryBoundCollection
{
}
