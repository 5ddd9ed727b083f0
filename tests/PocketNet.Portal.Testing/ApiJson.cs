using System.Text.Json;
using System.Text.Json.Serialization;

namespace PocketNet.Portal.Testing;

/// <summary>The API's JSON conventions (web defaults, enums as names), for reading responses in tests.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
