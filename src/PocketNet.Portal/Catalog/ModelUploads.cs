using Microsoft.Extensions.Options;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Catalog;

/// <summary>An upload larger than Portal:MaxUploadMegabytes (the API answers 413).</summary>
public sealed class UploadTooLargeException(long size, long limit)
    : Exception($"the upload is {size / 1048576.0:F1} MiB; the limit is {limit / 1048576} MiB (Portal:MaxUploadMegabytes)")
{
    public long Size { get; } = size;
    public long Limit { get; } = limit;
}

/// <summary>
/// Receives an external ONNX model posted as multipart/form-data (fields "file" and "name") and registers it.
/// Shared by POST /api/models/upload and the dashboard's upload form, so both accept exactly the same uploads.
/// Bad requests throw <see cref="ArgumentException"/>, bad files <see cref="InvalidDataException"/>, oversized
/// ones <see cref="UploadTooLargeException"/>; the messages say what to fix.
/// </summary>
public sealed class ModelUploads(ModelStore store, PortalPaths paths, IOptions<PortalOptions> options)
{
    public const int MaxNameLength = 120;

    // Multipart framing and the other fields come on top of the file itself.
    private const long FormOverhead = 64 * 1024;

    public long Limit => (long)options.Value.MaxUploadMegabytes * 1024 * 1024;

    /// <summary>Refuses a request whose declared length is already too large, before its body is read.</summary>
    public void CheckDeclaredLength(HttpRequest request)
    {
        if (request.ContentLength > Limit + FormOverhead) throw new UploadTooLargeException(request.ContentLength.Value, Limit);
    }

    public async Task<ModelRecord> ReceiveAsync(HttpRequest request, CancellationToken cancellation)
    {
        CheckDeclaredLength(request);
        if (!request.HasFormContentType) throw new ArgumentException("upload: send multipart/form-data with a 'file' field (the .onnx model) and a 'name' field");
        IFormCollection form = await request.ReadFormAsync(cancellation);
        IFormFile file = form.Files.GetFile("file") ?? throw new ArgumentException("upload: the 'file' field (the .onnx model) is missing");
        if (file.Length > Limit) throw new UploadTooLargeException(file.Length, Limit);
        if (file.Length == 0) throw new InvalidDataException($"upload: {file.FileName} is empty");
        if (!file.FileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"upload: {file.FileName} is not an .onnx file");
        string name = form["name"].ToString().Trim() is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(file.FileName);
        if (name.Length > MaxNameLength) throw new ArgumentException($"upload: the name is longer than {MaxNameLength} characters");
        // The browser's file name is never used as a path: the upload is stored under a fresh name.
        string temporary = Path.Combine(paths.Uploads, $"{Guid.NewGuid():N}.onnx");
        try
        {
            await using (FileStream target = File.Create(temporary)) await file.CopyToAsync(target, cancellation);
            return await store.RegisterExternalAsync(temporary, name, move: true, cancellation);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"upload {file.FileName}: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
