using System.Net;
using System.Text.RegularExpressions;

namespace PocketNet.Portal.Tests.Support;

/// <summary>Reads form fields out of server-rendered pages (enough for the login form; not an HTML parser).</summary>
public static partial class Html
{
    /// <summary>The name attribute of the element with id <paramref name="id"/>.</summary>
    public static string NameOf(string html, string id) => Attribute(Element(html, $"id=\"{id}\""), "name");

    /// <summary>The value of the input named <paramref name="name"/> (hidden fields: antiforgery token, form handler).</summary>
    public static string ValueOf(string html, string name) => Attribute(Element(html, $"name=\"{name}\""), "value");

    private static string Element(string html, string marker)
    {
        Match match = Tag().Matches(html).FirstOrDefault(m => m.Value.Contains(marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no element with {marker} in the page");
        return match.Value;
    }

    private static string Attribute(string tag, string name)
    {
        Match match = Regex.Match(tag, $"\\s{Regex.Escape(name)}=\"([^\"]*)\"");
        if (!match.Success) throw new InvalidOperationException($"{tag} has no {name} attribute");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("<(input|textarea|select|button)\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Tag();
}
