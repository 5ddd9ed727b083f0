using System.Text.Json;
using System.Text.Json.Serialization;
using PocketNet.Portal.Components.Shared;

namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// A chart figure as plotly.js receives it, {"data": [...], "layout": {...}}: Plotly.Blazor's types name their JSON
/// properties as plotly does, and its interop leaves nulls out, as these options do.
/// </summary>
public static class ChartJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = null, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static JsonDocument Of(ChartFigure figure) => JsonDocument.Parse(JsonSerializer.Serialize(new
    {
        data = figure.Data.Select(trace => (object)trace).ToList(),
        layout = figure.Layout,
    }, Options));
}
