using System.Text.Json;
using System.Text.Json.Serialization;

namespace PocketNet.Portal.Components.Shared;

/// <summary>
/// A plotly.js figure as pages hand it to the browser: build it from anonymous objects named as plotly names
/// them (data, layout, xaxis, type = "log", customdata, hovertemplate, ...); <see cref="Plot"/> writes it into a
/// data-plot attribute and wwwroot/js/portal.js draws it. Points whose customdata has a "url" open it when clicked.
/// </summary>
public static class PlotlyFigure
{
    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string ToJson(object figure) => JsonSerializer.Serialize(figure, Options);
}
