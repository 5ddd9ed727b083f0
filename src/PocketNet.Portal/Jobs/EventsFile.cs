using System.Text.Json;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// Reads a run's events.jsonl from a byte offset, whole lines only: a line still being written (no newline yet) is
/// left for the next read, and the returned offset is where that read starts. Offsets are what /api/runs/N/events
/// hands out as its cursor, so a client that polls reads each event once and the server reads each byte once.
/// </summary>
public static class EventsFile
{
    /// <summary>The events in whole lines from <paramref name="offset"/>, reading at most about <paramref name="maxBytes"/>; and the offset after them.</summary>
    public static (List<TrainingEvent> Events, long Next) ReadFrom(string path, long offset, long maxBytes = long.MaxValue)
    {
        var events = new List<TrainingEvent>();
        if (!File.Exists(path)) return (events, offset);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        if (offset > stream.Length) throw new ArgumentException($"after: {offset} is past the end of the run's events");
        if (offset > 0 && !StartsLine(stream, offset)) throw new ArgumentException($"after: {offset} is not a cursor this run's events gave (use 'next' of an earlier answer)");
        stream.Position = offset;
        byte[] chunk = new byte[64 * 1024];
        var line = new MemoryStream();
        long next = offset, read = 0;
        int count;
        while (read < maxBytes && (count = stream.Read(chunk)) > 0)
        {
            read += count;
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                if (chunk[i] != (byte)'\n') continue;
                line.Write(chunk, start, i - start);
                next += line.Length + 1;
                Parse(line, events);
                line.SetLength(0);
                start = i + 1;
            }
            line.Write(chunk, start, count - start);
        }
        return (events, next);
    }

    /// <summary>Cheap identity of the file: its first bytes (the first event's time), so a replaced file is noticed.</summary>
    public static string Fingerprint(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        byte[] head = new byte[Math.Min(256, stream.Length)];
        stream.ReadExactly(head);
        return Convert.ToBase64String(head);
    }

    /// <summary>The offset just after the file's last newline (0 for no file): where a line being written would start.</summary>
    public static long EndOfWholeLines(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        byte[] tail = new byte[64 * 1024];
        for (long end = stream.Length; end > 0;)
        {
            long start = Math.Max(0, end - tail.Length);
            stream.Position = start;
            int count = (int)(end - start);
            stream.ReadExactly(tail, 0, count);
            int newline = Array.LastIndexOf(tail, (byte)'\n', count - 1, count);
            if (newline >= 0) return start + newline + 1;
            end = start;
        }
        return 0;
    }

    /// <summary>
    /// The last step event in the file's last <paramref name="maxBytes"/> (null when there is none): read from the end,
    /// so a page can show a long run's latest speed without reading its history.
    /// </summary>
    public static StepProgress? LastStep(string path, int maxBytes = 1024 * 1024)
    {
        if (!File.Exists(path)) return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        // The last 64 KiB hold the last step unless many evaluation messages followed it; then up to the limit.
        foreach (long window in new long[] { Math.Min(64 * 1024, maxBytes), maxBytes })
        {
            long start = Math.Max(0, stream.Length - window);
            byte[] tail = new byte[stream.Length - start];
            stream.Position = start;
            stream.ReadExactly(tail);
            // Whole lines only: not the one the window cuts at its start, nor one still being written (no newline yet).
            int cut = start == 0 ? -1 : Array.IndexOf(tail, (byte)'\n');
            if (start > 0 && cut < 0) continue;
            int first = cut + 1, end = Array.LastIndexOf(tail, (byte)'\n');
            while (end >= first)
            {
                int lineStart = (end == 0 ? -1 : Array.LastIndexOf(tail, (byte)'\n', end - 1)) + 1;
                if (lineStart < first) break;
                if (ParseLine(tail.AsSpan(lineStart, end - lineStart)) is StepProgress step) return step;
                end = lineStart - 1;
            }
            if (start == 0) break;
        }
        return null;
    }

    private static bool StartsLine(FileStream stream, long offset)
    {
        stream.Position = offset - 1;
        return stream.ReadByte() == '\n';
    }

    // A damaged line (a crash mid-write, a hand edit) is skipped: the run page shows the rest.
    private static void Parse(MemoryStream line, List<TrainingEvent> events)
    {
        if (ParseLine(line.GetBuffer().AsSpan(0, (int)line.Length)) is { } e) events.Add(e);
    }

    private static TrainingEvent? ParseLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingEvent>(line, EventLog.JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
