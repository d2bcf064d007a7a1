using System.Globalization;
using Flywheel.Primitives;
using HandlebarsDotNet;

namespace Flywheel.Campaigns.Templates;

/// <summary>The source of a message template: Handlebars text per part. Subject and HTML are optional (SMS, WeCom).</summary>
internal sealed record TemplateSource(string Name, string? Subject, string Text, string? Html = null)
{
    internal IEnumerable<(TemplatePart Part, string Text)> Parts()
    {
        if (Subject is not null)
            yield return (TemplatePart.Subject, Subject);
        yield return (TemplatePart.Text, Text ?? "");
        if (Html is not null)
            yield return (TemplatePart.Html, Html);
    }
}

/// <summary>A rendered message. The subject is one line (line breaks become spaces) so it is a valid header.</summary>
internal sealed record RenderedMessage(string? Subject, string Text, string? Html);

/// <summary>
/// A validated, compiled message template (Handlebars). Compile once with <see cref="Create"/>, render many times
/// from any thread. The HTML part HTML-escapes every value; subject and text print values as they are. Helpers:
/// <c>{{track "https://shop.example/cart" "campaign"}}</c> (a tracking link from the renderer's tracker) and
/// <c>{{yuan amount_in_fen}}</c> ("¥199.00"). Rendering never throws: a failure (a variable the model does not have,
/// a bad helper argument) comes back as an error naming the template and the part.
/// </summary>
internal sealed class MessageTemplate
{
    private static readonly IHandlebars HtmlEngine = Engine(escape: true);
    private static readonly IHandlebars TextEngine = Engine(escape: false);

    // Handlebars helpers are registered once per engine, but the tracker belongs to one render; rendering is
    // synchronous, so the render's thread carries it.
    [ThreadStatic]
    private static Func<string, string?, string>? t_track;

    private readonly HandlebarsTemplate<object, object>? _subject;
    private readonly HandlebarsTemplate<object, object> _text;
    private readonly HandlebarsTemplate<object, object>? _html;

    private MessageTemplate(TemplateSource source, IReadOnlyList<string> variables)
    {
        Source = source;
        Variables = variables;
        _subject = source.Subject is null ? null : TextEngine.Compile(source.Subject);
        _text = TextEngine.Compile(source.Text);
        _html = source.Html is null ? null : HtmlEngine.Compile(source.Html);
    }

    public TemplateSource Source { get; }

    /// <summary>The declared variables the template uses, as schema paths (<c>customer.name</c>, <c>cart.lines[].price</c>), sorted.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Validates against <paramref name="schema"/> (default <see cref="TemplateSchema.Default"/>) and compiles.</summary>
    public static Result<MessageTemplate> Create(TemplateSource source, TemplateSchema? schema = null)
    {
        var (errors, variables) = TemplateValidator.Analyze(source, schema ?? TemplateSchema.Default);
        if (errors.Count > 0)
        {
            return Error.Invalid(
                $"template:{source.Name}/{errors[0].Location}",
                $"template '{source.Name}' has {errors.Count} error(s): {string.Join("; ", errors)}");
        }

        try
        {
            return new MessageTemplate(source, variables);
        }
        catch (Exception e)
        {
            return Error.Invalid($"template:{source.Name}", $"template '{source.Name}' does not compile: {e.Message}");
        }
    }

    /// <summary>
    /// Renders every part. <paramref name="track"/> maps (url, campaign) to a tracking link; without one,
    /// <c>{{track}}</c> prints the URL unchanged (previews).
    /// </summary>
    public Result<RenderedMessage> Render(TemplateModel model, Func<string, string?, string>? track = null)
    {
        var data = model.ToData();
        var previous = t_track;
        t_track = track;
        var part = TemplatePart.Text;
        try
        {
            string? subject = null;
            if (_subject is not null)
            {
                part = TemplatePart.Subject;
                subject = string.Join(' ', _subject(data).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
            }

            part = TemplatePart.Text;
            var text = _text(data);
            string? html = null;
            if (_html is not null)
            {
                part = TemplatePart.Html;
                html = _html(data);
            }

            return new RenderedMessage(subject, text, html);
        }
        catch (Exception e)
        {
            var name = TemplateError.PartName(part);
            return new Error("render_failed", $"template '{Source.Name}', {name} part: {Describe(e, data)}", $"template:{Source.Name}/{name}");
        }
        finally
        {
            t_track = previous;
        }
    }

    private string Describe(Exception e, Dictionary<string, object?> data)
    {
        const string Undefined = " is undefined";
        if (!e.Message.EndsWith(Undefined, StringComparison.Ordinal))
            return e.Message;

        // Handlebars names only the last segment ("code"); the template's variables whose top level is absent
        // from this model say which full name it was ("coupon.code").
        var key = e.Message[..^Undefined.Length];
        var candidates = Variables
            .Where(v => (v == key || v.EndsWith("." + key, StringComparison.Ordinal)) && data.GetValueOrDefault(v.Split('.', '[')[0]) is null)
            .ToList();
        var names = candidates.Count > 0 ? string.Join("', '", candidates) : key;
        return $"'{names}' is not set in the model for this message; guard it with {{{{#if}}}}";
    }

    private static IHandlebars Engine(bool escape)
    {
        var engine = Handlebars.Create(new HandlebarsConfiguration
        {
            ThrowOnUnresolvedBindingExpression = true,
            NoEscape = !escape,
            FormatProvider = CultureInfo.InvariantCulture,
        });
        engine.RegisterHelper("track", (in HelperOptions _, in Context _, in Arguments args) =>
        {
            if (args.Length is < 1 or > 2 || args[0] is not string url)
                throw new HandlebarsRuntimeException("{{track}} needs a URL string and an optional campaign name");
            var campaign = args.Length == 2 ? args[1]?.ToString() : null;
            return t_track is { } track ? track(url, campaign) : url;
        });
        engine.RegisterHelper("yuan", (in HelperOptions _, in Context _, in Arguments args) =>
        {
            if (args.Length != 1)
                throw new HandlebarsRuntimeException("{{yuan}} takes one amount in fen");
            return args[0] switch
            {
                long fen => Yuan.Format(fen),
                int fen => Yuan.Format(fen),
                string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fen) => Yuan.Format(fen),
                var other => throw new HandlebarsRuntimeException($"{{{{yuan}}}} needs a whole number of fen, got '{other}'"),
            };
        });
        return engine;
    }
}
