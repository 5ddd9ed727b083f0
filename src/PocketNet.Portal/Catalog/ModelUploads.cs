using Microsoft.Extensions.Options;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Catalog;

/// <summary>An upload larger than Portal:MaxUploadMegabytes (the API answers 413).</summary>
public sealed class UploadTooLargeException(long? size, long limit) : Exception(size is long s
    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the upload is {s / 1048576.0:F1} MiB; the limit is {limit / 1048576} MiB (Portal:MaxUploadMegabytes)")
    : $"the upload is larger than the limit of {limit / 1048576} MiB (Portal:MaxUploadMegabytes)")
{
    /// <summary>The upload's size in bytes, when it was declared or known; null for a body found too large while read.</summary>
    public long? Size { get; } = size;

    public long Limit { get; } = limit;
}

/// <summary>
/// Receives a model file posted as multipart/form-data (fields "file" and "name") and registers it: an external ONNX
/// model (<see cref="ReceiveAsync"/>, POST /api/models/upload and the dashboard's upload form) or a model zip
/// (<see cref="ReceiveZipAsync"/>, POST /api/models/import). Both go through the same checks: size limit, file type,
/// name, and a fresh server-side file name. Bad requests throw <see cref="ArgumentException"/>, bad files
/// <see cref="InvalidDataException"/>, oversized ones <see cref="UploadTooLargeException"/>; the messages say what to fix.
/// </summary>
public sealed class ModelUploads(ModelStore store, ModelZipImport zipImport, PortalPaths paths, IOptions<PortalOptions> options)
{
    public const int MaxNameLength = PocketNet.Application.Planning.JobPlanner.MaxNameLength;

    // Multipart framing and the other fields come on top of the file itself.
    private const long FormOverhead = 64 * 1024;

    public long Limit => (long)options.Value.MaxUploadMegabytes * 1024 * 1024;

    /// <summary>The largest request body an upload endpoint reads: the file and its form.</summary>
    public long BodyLimit => Limit + FormOverhead;

    /// <summary>Refuses a request whose declared length is already too large, before its body is read.</summary>
    public void CheckDeclaredLength(HttpRequest request)
    {
        if (request.ContentLength > BodyLimit) throw new UploadTooLargeException(request.ContentLength.Value, Limit);
    }

    /// <summary>An external ONNX face model.</summary>
    public Task<ModelRecord> ReceiveAsync(HttpRequest request, CancellationToken cancellation) =>
        ReceiveAsync(request, new FileKind("upload", ".onnx", "an .onnx file", "the .onnx model"),
            (path, fileName, name) => store.RegisterExternalAsync(path, name, move: true, cancellation, fileName, Limit, options.Value.MaxEmbedding), cancellation);

    /// <summary>A model zip as the portal writes them; what it unpacks to is bounded by the same limit.</summary>
    public Task<ModelRecord> ReceiveZipAsync(HttpRequest request, CancellationToken cancellation) =>
        ReceiveAsync(request, new FileKind("import", ".zip", "a .zip file", "the model zip"),
            (path, fileName, name) => Task.Run(() => zipImport.Import(path, fileName, name, maxBytes: Limit), cancellation), cancellation);

    /// <summary>What a posted file must be: the verb errors start with, its extension, and how messages name it.</summary>
    private sealed record FileKind(string Verb, string Extension, string WithArticle, string FieldMeaning);

    private async Task<ModelRecord> ReceiveAsync(HttpRequest request, FileKind kind, Func<string, string, string, Task<ModelRecord>> register,
        CancellationToken cancellation)
    {
        CheckDeclaredLength(request);
        if (!request.HasFormContentType) throw new ArgumentException($"{kind.Verb}: send multipart/form-data with a 'file' field ({kind.FieldMeaning}) and a 'name' field");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellation);
        }
        // A body sent without a Content-Length is found too large only while it is read, by Kestrel's request limit
        // or the form reader's; both are set from Portal:MaxUploadMegabytes, so say that rather than their byte counts.
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                                      || (e is InvalidDataException && e.Message.Contains("body length limit", StringComparison.Ordinal)))
        {
            throw new UploadTooLargeException(null, Limit);
        }
        IFormFile file = form.Files.GetFile("file") ?? throw new ArgumentException($"{kind.Verb}: the 'file' field ({kind.FieldMeaning}) is missing");
        if (file.Length > Limit) throw new UploadTooLargeException(file.Length, Limit);
        if (file.Length == 0) throw new InvalidDataException($"{kind.Verb}: {file.FileName} is empty");
        if (!file.FileName.EndsWith(kind.Extension, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"{kind.Verb}: {file.FileName} is not {kind.WithArticle}");
        string name = form["name"].ToString().Trim() is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(file.FileName);
        if (name.Length > MaxNameLength) throw new ArgumentException($"{kind.Verb}: the name is longer than {MaxNameLength} characters");
        // The browser's file name is never used as a path: the upload is stored under a fresh name.
        string temporary = Path.Combine(paths.Uploads, $"{Guid.NewGuid():N}{kind.Extension}");
        try
        {
            await using (FileStream target = File.Create(temporary)) await file.CopyToAsync(target, cancellation);
            return await register(temporary, file.FileName, name);
        }
        catch (InvalidDataException e)
        {
            // The checks name the stored copy (a path under the portal's home); the uploader knows the file by its own
            // name, and the server's folders are none of their business.
            string message = e.Message.Replace(temporary, file.FileName, StringComparison.Ordinal)
                .Replace(Path.GetFileName(temporary), file.FileName, StringComparison.Ordinal);
            throw new InvalidDataException($"{kind.Verb} {file.FileName}: {message}", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
