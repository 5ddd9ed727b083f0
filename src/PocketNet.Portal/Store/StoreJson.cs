using System.Text.Json;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Store;

/// <summary>The JSON the store keeps in its text columns.</summary>
public static class StoreJson
{
    /// <summary>Model configs and results: the run files' snake_case (config.json, results.json), so one reader fits both.</summary>
    public static JsonSerializerOptions Options => EventLog.JsonOptions;

    /// <summary>Job requests: as the API accepts them (camelCase), so GET /api/runs/N shows what was POSTed.</summary>
    public static JsonSerializerOptions Requests => JsonSerializerOptions.Web;
}
