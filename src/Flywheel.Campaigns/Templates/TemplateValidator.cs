using System.Text.RegularExpressions;
using Flywheel.Primitives;
using HandlebarsDotNet;

namespace Flywheel.Campaigns.Templates;

internal enum TemplatePart
{
    Subject,
    Text,
    Html,
}

/// <summary>One problem in a template. <see cref="Line"/> and <see cref="Column"/> are 1-based; 0 when unknown.</summary>
internal sealed record TemplateError(TemplatePart Part, int Line, int Column, string? Variable, string Message)
{
    public string Location => Line > 0 ? $"{PartName(Part)}:{Line}:{Column}" : PartName(Part);

    public Error ToError() => Error.Invalid(Location, Message);

    public override string ToString() => $"{Location}: {Message}";

    internal static string PartName(TemplatePart part) => part.ToString().ToLowerInvariant();
}

/// <summary>
/// Checks a template before it is saved: the syntax compiles, and every <c>{{ }}</c> expression names a declared
/// variable (<see cref="TemplateSchema"/>), a known helper (<c>track</c>, <c>yuan</c>) or a supported block
/// (<c>#if</c>, <c>#unless</c>, <c>#each</c>, <c>#with</c>). Inside <c>#each</c> names are relative to the item;
/// reach outer names with <c>../</c> or <c>@root.</c>. Partials and subexpressions are not supported.
/// </summary>
internal static partial class TemplateValidator
{
    internal static readonly HashSet<string> Helpers = ["track", "yuan"];

    public static IReadOnlyList<TemplateError> Validate(TemplateSource template, TemplateSchema? schema = null) =>
        Analyze(template, schema ?? TemplateSchema.Default).Errors;

    internal static (IReadOnlyList<TemplateError> Errors, IReadOnlyList<string> Variables) Analyze(TemplateSource template, TemplateSchema schema)
    {
        var errors = new List<TemplateError>();
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(template.Text))
            errors.Add(new TemplateError(TemplatePart.Text, 0, 0, null, "the text part is required"));
        foreach (var (part, text) in template.Parts())
        {
            var before = errors.Count;
            new Walker(part, text, schema, errors, variables).Run();
            if (errors.Count == before)
                CheckSyntax(part, text, errors);
        }

        return (errors, variables.ToList());
    }

    private static void CheckSyntax(TemplatePart part, string text, List<TemplateError> errors)
    {
        try
        {
            Handlebars.Create().Compile(text);
        }
        catch (Exception e)
        {
            errors.Add(new TemplateError(part, 0, 0, null, $"does not compile: {e.Message}"));
        }
    }

    [GeneratedRegex(@"\{\{!--.*?--~?\}\}|\{\{(\{)?~?(.*?)~?\}?\}\}", RegexOptions.Singleline)]
    private static partial Regex Mustache();

    [GeneratedRegex("""\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"']+)""")]
    private static partial Regex Token();

    private sealed class Walker(TemplatePart part, string text, TemplateSchema schema, List<TemplateError> errors, SortedSet<string> variables)
    {
        // Contexts pushed by #each and #with: what '.' and 'this' mean, and what '../' steps back to.
        private readonly List<(TemplateSchema.Node Node, string Path, bool InEach)> _contexts = [(schema.Root, "", false)];
        private readonly Stack<(string Name, int Index, bool PushedContext)> _blocks = new();
        private int _index;

        public void Run()
        {
            foreach (Match m in Mustache().Matches(text))
            {
                _index = m.Index;
                if (!m.Groups[2].Success)
                    continue; // {{!-- comment --}}
                Expression(m.Groups[2].Value.Trim());
            }

            foreach (var open in _blocks)
            {
                _index = open.Index;
                Report(null, $"{{{{#{open.Name}}}}} is never closed");
            }
        }

        private void Expression(string expr)
        {
            if (expr.Length == 0)
            {
                Report(null, "empty {{ }}");
                return;
            }

            switch (expr[0])
            {
                case '!':
                    return;
                case '>':
                    Report(null, "partials are not supported");
                    return;
                case '#':
                    Open(expr[1..].Trim());
                    return;
                case '^':
                    if (expr.Length == 1)
                        return; // {{^}} is {{else}}
                    OpenBlock("^", Arguments(expr[1..]), "if");
                    return;
                case '/':
                    Close(expr[1..].Trim());
                    return;
                case '&':
                    expr = expr[1..].Trim();
                    break;
            }

            var tokens = Arguments(expr);
            if (tokens.Count == 0)
                return;
            if (tokens.Any(t => t[0] is not ('"' or '\'') && t.Contains('(', StringComparison.Ordinal)))
            {
                Report(null, "subexpressions are not supported");
                return;
            }

            if (tokens[0] == "else")
            {
                if (tokens.Count >= 3 && tokens[1] is "if" or "unless")
                    Argument(tokens[2]);
                return;
            }

            if (Helpers.Contains(tokens[0]))
            {
                Helper(tokens[0], tokens.Skip(1).ToList());
                return;
            }

            if (tokens.Count > 1)
            {
                Report(tokens[0], $"unknown helper '{tokens[0]}' (known: {string.Join(", ", Helpers)})");
                return;
            }

            Resolve(tokens[0]);
        }

        private void Helper(string name, List<string> args)
        {
            var (min, max) = name == "track" ? (1, 2) : (1, 1);
            if (args.Count < min || args.Count > max)
            {
                Report(name, name == "track"
                    ? "{{track url [campaign]}} takes a URL and an optional campaign name"
                    : "{{yuan amount_in_fen}} takes one amount in fen");
                return;
            }

            foreach (var arg in args)
                Argument(arg);
        }

        private void Argument(string arg)
        {
            if (arg.Length > 0 && (arg[0] is '"' or '\'' || char.IsAsciiDigit(arg[0]) || arg[0] == '-' || arg is "true" or "false" or "null"))
                return;
            if (arg.Contains('=', StringComparison.Ordinal) || arg.Contains('(', StringComparison.Ordinal))
            {
                Report(arg, $"'{arg}': hash arguments and subexpressions are not supported");
                return;
            }

            Resolve(arg);
        }

        private void Open(string expr)
        {
            var tokens = Arguments(expr);
            if (tokens.Count == 0)
            {
                Report(null, "a block needs a helper name");
                return;
            }

            var name = tokens[0];
            if (name is not ("if" or "unless" or "each" or "with"))
            {
                Report(name, $"unknown block helper '#{name}' (known: #if, #unless, #each, #with)");
                _blocks.Push((name, _index, false));
                return;
            }

            OpenBlock(name, tokens.Skip(1).ToList(), name);
        }

        private void OpenBlock(string name, List<string> args, string kind)
        {
            if (args.Count != 1 || args[0].Contains('(', StringComparison.Ordinal))
            {
                Report(name, $"{{{{#{name}}}}} takes exactly one variable");
                _blocks.Push((name, _index, false));
                return;
            }

            var target = Resolve(args[0], allowContainer: true);
            var pushed = false;
            if (target is { } t && kind is "each" or "with")
            {
                if (kind == "each" && !t.Node.IsList)
                    Report(args[0], $"'{args[0]}' is not a list, so #each cannot walk it");
                else if (kind == "with" && (t.Node.IsList || t.Node.IsLeaf))
                    Report(args[0], $"'{args[0]}' is not an object, so #with cannot enter it");
                else
                {
                    _contexts.Add(kind == "each" ? (Item(t.Node), t.Path + "[]", true) : (t.Node, t.Path, false));
                    pushed = true;
                }
            }

            _blocks.Push((name, _index, pushed));
        }

        private static TemplateSchema.Node Item(TemplateSchema.Node list)
        {
            var item = new TemplateSchema.Node(IsList: false);
            foreach (var (key, child) in list.Children)
                item.Children[key] = child;
            return item;
        }

        private void Close(string name)
        {
            if (_blocks.Count == 0)
            {
                Report(null, $"{{{{/{name}}}}} closes nothing");
                return;
            }

            var open = _blocks.Pop();
            if (open.Name != "^" && open.Name != name)
                Report(null, $"{{{{/{name}}}}} closes {{{{#{open.Name}}}}}");
            if (open.PushedContext)
                _contexts.RemoveAt(_contexts.Count - 1);
        }

        private (TemplateSchema.Node Node, string Path)? Resolve(string path, bool allowContainer = false)
        {
            var depth = _contexts.Count - 1;
            var rest = path;
            if (rest.StartsWith('@'))
            {
                if (rest is "@index" or "@first" or "@last")
                {
                    if (!_contexts[^1].InEach)
                        Report(path, $"'{path}' is only available inside {{{{#each}}}}");
                    return null;
                }

                if (!rest.StartsWith("@root", StringComparison.Ordinal))
                {
                    Report(path, $"unknown data variable '{path}'");
                    return null;
                }

                depth = 0;
                rest = rest.Length == 5 ? "" : rest[6..];
            }

            while (rest.StartsWith("../", StringComparison.Ordinal))
            {
                rest = rest[3..];
                if (--depth < 0)
                {
                    Report(path, $"'{path}' goes above the top level");
                    return null;
                }
            }

            if (rest is "this" or ".")
                rest = "";
            else if (rest.StartsWith("this.", StringComparison.Ordinal) || rest.StartsWith("this/", StringComparison.Ordinal))
                rest = rest[5..];

            var (node, full) = (_contexts[depth].Node, _contexts[depth].Path);
            if (rest.Length > 0)
            {
                foreach (var segment in rest.Split('.', '/'))
                {
                    var name = full.Length == 0 ? segment : $"{full}.{segment}";
                    if (node.IsList || !node.Children.TryGetValue(segment, out var child))
                    {
                        var hint = depth > 0 && schema.Root.Children.ContainsKey(segment)
                            ? $" (inside #each/#with names are relative to the item: use ../{rest} or @root.{rest})"
                            : "";
                        Report(name, $"unknown variable '{name}'{hint}");
                        return null;
                    }

                    (node, full) = (child, name);
                }
            }

            if (full.Length == 0)
            {
                if (!allowContainer)
                    Report(path, $"'{path}' is not a value that can be printed");
                return null;
            }

            if (!allowContainer && !node.IsLeaf)
                Report(full, $"'{full}' is {(node.IsList ? "a list" : "an object")}, not a value that can be printed");
            variables.Add(full);
            return (node, full);
        }

        private void Report(string? variable, string message)
        {
            var line = 1;
            var lineStart = 0;
            for (var i = 0; i < _index && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            errors.Add(new TemplateError(part, line, _index - lineStart + 1, variable, message));
        }

        private static List<string> Arguments(string expr) =>
            Token().Matches(expr).Select(m => m.Groups[1].Value).ToList();
    }
}
