using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PocketNet.Models.SearchSpace;
using PocketNet.Portal.Components.Models;

namespace PocketNet.Portal.Tests;

/// <summary>The genotype's cells as SVG: every operation drawn and named, labels apart and inside the picture.</summary>
public sealed class GenotypeDiagramTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PocketNet_cells_draw_every_operation_and_the_concatenation(bool reduction)
    {
        CellDiagram diagram = CellDiagram.Of(Genotype.PocketNet, reduction);

        Assert.Equal(7, diagram.Nodes.Count);
        Assert.Equal(["c", "c", "0", "1", "2", "3", "c"], diagram.Nodes.Select(n => n.Label));
        Assert.Equal(["k-2", "k-1", "k"], diagram.Nodes.Where(n => n.Subscript is not null).Select(n => n.Subscript!));

        var operations = diagram.Edges.Where(e => e.Operation is not null).ToList();
        var expected = Genotype.PocketNet.Nodes(reduction)
            .SelectMany((edges, node) => edges.Select(e => (e.Input, node + 2, e.Operation.Name())))
            .OrderBy(e => e).ToList();
        Assert.Equal(expected, operations.Select(e => (e.From, e.To, e.Operation!)).OrderBy(e => e).ToList());

        var concat = diagram.Edges.Where(e => e.Operation is null).ToList();
        Assert.Equal([2, 3, 4, 5], concat.Select(e => e.From).Order());
        Assert.All(concat, e => Assert.Equal(6, e.To));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Operation_labels_do_not_overlap_and_stay_inside_the_picture(bool reduction)
    {
        // A genotype whose nodes read far-back states, so many arcs share spans and midpoints.
        var genotype = Genotype.Parse(
            "Genotype(normal=[[('dw_conv_3x3', 0), ('dw_conv_5x5', 1)], [('skip_connect', 0), ('max_pool_3x3', 1)], " +
            "[('dw_conv_7x7', 0), ('avg_pool_3x3', 1)], [('dw_conv_1x1', 0), ('skip_connect', 1)]], normal_concat=[2, 4, 5], " +
            "reduce=[[('max_pool_3x3', 0), ('max_pool_3x3', 1)], [('max_pool_3x3', 0), ('skip_connect', 2)], " +
            "[('max_pool_3x3', 0), ('skip_connect', 3)], [('max_pool_3x3', 0), ('skip_connect', 4)]], reduce_concat=range(2, 6))");
        CellDiagram diagram = CellDiagram.Of(genotype, reduction);

        var labels = diagram.Edges.Where(e => e.Operation is not null)
            .Select(e => (Left: e.LabelX - e.LabelWidth / 2, Right: e.LabelX + e.LabelWidth / 2, Top: e.LabelY - CellDiagram.LabelHeight / 2, Bottom: e.LabelY + CellDiagram.LabelHeight / 2))
            .ToList();
        Assert.Equal(8, labels.Count);
        for (int i = 0; i < labels.Count; i++)
        {
            Assert.InRange(labels[i].Left, 0, diagram.Width);
            Assert.InRange(labels[i].Right, 0, diagram.Width);
            Assert.InRange(labels[i].Top, 0, diagram.Height);
            for (int j = i + 1; j < labels.Count; j++)
            {
                bool overlap = labels[i].Left < labels[j].Right && labels[j].Left < labels[i].Right && labels[i].Top < labels[j].Bottom && labels[j].Top < labels[i].Bottom;
                Assert.False(overlap, $"labels {i} and {j} overlap");
            }
        }
        // Labels sit above the boxes, the concatenation below them.
        double boxTop = diagram.Nodes[0].Y - CellDiagram.NodeHeight / 2;
        Assert.All(labels, l => Assert.True(l.Bottom <= boxTop, "a label covers the boxes"));
        Assert.Equal(reduction ? 4 : 3, diagram.Edges.Count(e => e.Operation is null));
    }

    [Fact]
    public async Task The_component_renders_an_svg_per_cell_with_its_operations_named()
    {
        string normal = await RenderAsync(reduction: false);
        string reduce = await RenderAsync(reduction: true);

        foreach (var (html, id, reduction) in new[] { (normal, "genotype-normal", false), (reduce, "genotype-reduce", true) })
        {
            XElement svg = XElement.Parse(html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(id, (string?)svg.Attribute("id"));
            var labels = svg.Descendants(ns + "g").Where(g => ((string?)g.Attribute("class"))?.StartsWith("edge-label", StringComparison.Ordinal) == true)
                .Select(g => g.Element(ns + "text")!.Value).ToList();
            Assert.Equal(Genotype.PocketNet.Nodes(reduction).SelectMany(n => n).Select(e => e.Operation.Name()).Order(), labels.Order());
            Assert.Equal(12, svg.Descendants(ns + "path").Count(p => ((string?)p.Attribute("class"))?.StartsWith("edge", StringComparison.Ordinal) == true));
            string[] viewBox = ((string)svg.Attribute("viewBox")!).Split(' ');
            Assert.True(double.Parse(viewBox[2], CultureInfo.InvariantCulture) > 500, "the cell is drawn wide enough to read");
            Assert.Contains("c_{k-2}", (string)svg.Element(ns + "desc")!, StringComparison.Ordinal);
        }
    }

    private static async Task<string> RenderAsync(bool reduction)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Genotype"] = Genotype.PocketNet, ["Reduction"] = reduction });
            var output = await renderer.RenderComponentAsync<GenotypeDiagram>(parameters);
            return output.ToHtmlString();
        });
    }
}
