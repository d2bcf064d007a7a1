using System.Text;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// A simple scanner of a message template's <c>{{...}}</c> tokens against the variables a journey's send step provides —
/// the default <see cref="JourneyValidationContext.UnknownVariables"/> until the Handlebars engine offers its own check.
/// It knows the block helpers <c>#each</c>, <c>#if</c>, <c>#unless</c> (with <c>else</c>), the helpers <c>track</c> and
/// <c>yuan</c>, and inside <c>#each</c> the item (<c>this</c>, <c>this.x</c>, <see cref="ItemFields"/>) and
/// <c>@index</c>/<c>@first</c>/<c>@last</c>/<c>@key</c>.
/// </summary>
internal static class TemplateVariables
{
    /// <summary>The variables a send step's template may use.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "customer.id", "customer.name", "customer.city", "customer.member_tier", "cart.lines", "cart.total", "coupon.code", "coupon.value",
        "coupon.expires", "recommendations", "order.id", "points", "journey.name", "unsubscribe_url",
    };

    /// <summary>The fields of a list item (a cart line, a recommendation) that may be written bare inside #each.</summary>
    public static readonly IReadOnlySet<string> ItemFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "sku", "name", "title", "quantity", "price", "total", "url", "image_url",
    };

    /// <summary>Helpers that take arguments: {{yuan cart.total}}, {{track "https://..."}}.</summary>
    public static readonly IReadOnlySet<string> Helpers = new HashSet<string>(StringComparer.Ordinal) { "yuan", "track" };

    private static readonly string[] BlockHelpers = ["each", "if", "unless"];
    private static readonly string[] LoopVariables = ["@index", "@first", "@last", "@key"];

    /// <summary>The unknown variables and helpers in <paramref name="template"/>, distinct, in order of appearance ("customer.nmae", "#foo", "/each" for an unbalanced close).</summary>
    public static IReadOnlyList<string> Unknown(string template)
    {
        var unknown = new List<string>();
        if (string.IsNullOrEmpty(template)) return unknown;
        var blocks = new Stack<string>();
        var at = 0;
        while (true)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0) break;
            if (template.AsSpan(open).StartsWith("{{!--"))
            {
                var endComment = template.IndexOf("--}}", open + 5, StringComparison.Ordinal);
                at = endComment < 0 ? template.Length : endComment + 4;
                continue;
            }
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                Add(unknown, "{{");
                break;
            }
            at = close + 2;
            while (at < template.Length && template[at] == '}') at++;
            var body = template[(open + 2)..close].Trim('{', '}', '~', ' ', '\t', '\r', '\n', '&');
            if (body.Length == 0 || body[0] == '!' || body == "else" || body[0] == '^') continue;
            var inEach = blocks.Contains("each");
            if (body[0] == '#')
            {
                var words = Words(body[1..]);
                var helper = words.Count > 0 ? words[0] : "";
                if (Array.IndexOf(BlockHelpers, helper) < 0) Add(unknown, "#" + helper);
                foreach (var arg in words.Skip(1)) Check(arg, inEach, unknown);
                blocks.Push(helper);
                continue;
            }
            if (body[0] == '/')
            {
                var name = body[1..].Trim();
                if (blocks.Count > 0 && blocks.Peek() == name) blocks.Pop();
                else Add(unknown, "/" + name);
                continue;
            }
            if (body[0] == '>')
            {
                Add(unknown, body);
                continue;
            }
            var parts = Words(body);
            if (parts.Count == 0) continue;
            if (parts[0] == "else")
            {
                // {{else if coupon.code}}: a chained block helper.
                if (parts.Count > 1 && Array.IndexOf(BlockHelpers, parts[1]) < 0) Add(unknown, "else " + parts[1]);
                foreach (var arg in parts.Skip(2)) Check(arg, inEach, unknown);
                continue;
            }
            if (parts.Count > 1)
            {
                if (!Helpers.Contains(parts[0])) Add(unknown, parts[0]);
                foreach (var arg in parts.Skip(1)) Check(arg, inEach, unknown);
                continue;
            }
            Check(parts[0], inEach, unknown);
        }
        foreach (var block in blocks.Reverse()) Add(unknown, "#" + block + " (not closed)");
        return unknown;
    }

    private static void Check(string word, bool inEach, List<string> unknown)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && word[0] is not '"' and not '\'') word = word[(eq + 1)..];
        word = word.Trim('(', ')');
        if (word.Length == 0) return;
        if (word[0] is '"' or '\'' || char.IsAsciiDigit(word[0]) || word[0] == '-' || word is "true" or "false" or "null") return;
        if (inEach)
        {
            if (word is "this" or "." || word.StartsWith("this.", StringComparison.Ordinal) || Array.IndexOf(LoopVariables, word) >= 0 || ItemFields.Contains(word)) return;
        }
        while (word.StartsWith("../", StringComparison.Ordinal)) word = word[3..];
        if (!Known.Contains(word)) Add(unknown, word);
    }

    private static void Add(List<string> unknown, string name)
    {
        if (!unknown.Contains(name)) unknown.Add(name);
    }

    /// <summary>Splits on whitespace, keeping quoted strings whole.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                current.Append(c);
                if (c == quote) quote = '\0';
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                current.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0) words.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }
}
