using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Channels;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// The journey JSON format (snake_case, durations as "30m"/"2h"/"7d"/"1w", steps and triggers discriminated by "type").
/// <see cref="Parse"/> checks the shape (required fields, types, known enum values, no unknown properties) and names the
/// JSON path of the first problem: <c>$.steps[2].duration: ...</c>. <see cref="ParseAndValidate"/> also runs
/// <see cref="JourneyValidator"/>. <see cref="Write"/> produces text <see cref="Parse"/> reads back to the same journey.
/// </summary>
internal static class JourneyJson
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions IndentedOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    private static readonly string[] TriggerTypes = ["event", "segment_entry", "segment_exit", "lifecycle", "date", "schedule"];
    private static readonly string[] StepTypes = ["wait", "wait_until", "issue_coupon", "split", "send", "branch", "add_points", "exit"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>Parses one journey (shape only; see <see cref="ParseAndValidate"/>).</summary>
    public static Result<Journey> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return Error.Invalid("$", "not valid JSON: " + e.Message.Split(" Path:")[0]);
        }
        return FromNode(root, lenientScalars: false);
    }

    /// <summary>Parses, then validates; the error is the first problem found.</summary>
    public static Result<Journey> ParseAndValidate(string json, JourneyValidationContext? context = null) =>
        Validated(Parse(json), context);

    internal static Result<Journey> Validated(Result<Journey> parsed, JourneyValidationContext? context)
    {
        if (!parsed.TryGetValue(out var journey, out var error)) return error;
        var errors = JourneyValidator.Validate(journey, context ?? JourneyValidationContext.Default);
        return errors.Count == 0 ? journey : errors[0];
    }

    /// <summary>Reads a journey from a JSON tree (YAML arrives here too). <paramref name="lenientScalars"/> lets a text field hold a number or boolean (YAML's unquoted scalars).</summary>
    internal static Result<Journey> FromNode(JsonNode? root, bool lenientScalars)
    {
        try
        {
            return new Reader(lenientScalars).Journey(root, "$");
        }
        catch (ParseFailure f)
        {
            return Error.Invalid(f.Path, f.Message);
        }
        catch (ArgumentException e)
        {
            // JsonObject refuses a property named twice.
            return Error.Invalid("$", e.Message);
        }
    }

    /// <summary>The journey as JSON (indented by default).</summary>
    public static string Write(Journey journey, bool indented = true) => ToNode(journey).ToJsonString(indented ? IndentedOptions : Compact);

    /// <summary>The journey as a JSON tree.</summary>
    public static JsonObject ToNode(Journey journey)
    {
        ArgumentNullException.ThrowIfNull(journey);
        var o = new JsonObject { ["id"] = journey.Id, ["name"] = journey.Name };
        Put(o, "description", journey.Description);
        o["trigger"] = WriteTrigger(journey.Trigger);
        var reentry = new JsonObject { ["mode"] = ReentryName(journey.Reentry.Mode) };
        if (journey.Reentry.Every is { } every) reentry["every"] = JourneyDuration.Format(every);
        o["reentry"] = reentry;
        if (journey.ExitWhen.Count > 0)
        {
            var exits = new JsonArray();
            foreach (var exit in journey.ExitWhen)
                exits.Add(exit switch
                {
                    ExitOnEvent e => new JsonObject { ["event"] = e.Event },
                    ExitOnSegment s => new JsonObject { ["segment"] = s.Rule },
                    _ => throw new ArgumentException($"unknown exit condition {exit.GetType().Name}", nameof(journey)),
                });
            o["exit_when"] = exits;
        }
        Put(o, "conditions", journey.Conditions);
        Put(o, "experiment", journey.Experiment);
        o["start"] = journey.Start;
        var steps = new JsonArray();
        foreach (var step in journey.Steps) steps.Add(WriteStep(step));
        o["steps"] = steps;
        return o;
    }

    private static JsonObject WriteTrigger(Trigger trigger)
    {
        var o = new JsonObject { ["type"] = trigger.Type };
        switch (trigger)
        {
            case EventTrigger e:
                o["event"] = e.Event;
                Put(o, "unless", e.Unless);
                if (e.Within is { } within) o["within"] = JourneyDuration.Format(within);
                break;
            case SegmentEntryTrigger s:
                o["segment"] = s.Segment;
                break;
            case SegmentExitTrigger s:
                o["segment"] = s.Segment;
                break;
            case LifecycleTrigger l:
                o["to"] = l.To;
                Put(o, "from", l.From);
                break;
            case DateTrigger d:
                o["attribute"] = d.Attribute == DateAttribute.Birthday ? "birthday" : "first_order";
                if (d.DaysBefore is { } before) o["days_before"] = before;
                if (d.DaysAfter is { } after) o["days_after"] = after;
                break;
            case ScheduleTrigger s:
                o["at"] = s.At;
                if (s.Days.Count > 0) o["days"] = new JsonArray([.. s.Days.Select(d => (JsonNode?)JsonValue.Create(DayNames[(int)d]))]);
                o["audience"] = s.Audience;
                break;
            default:
                throw new ArgumentException($"unknown trigger {trigger.GetType().Name}", nameof(trigger));
        }
        return o;
    }

    private static JsonObject WriteStep(Step step)
    {
        var o = new JsonObject { ["id"] = step.Id, ["type"] = step.Type };
        switch (step)
        {
            case WaitStep w:
                o["duration"] = JourneyDuration.Format(w.Duration);
                o["next"] = w.Next;
                break;
            case WaitUntilStep w:
                Put(o, "local_time", w.LocalTime);
                Put(o, "event_property", w.EventProperty);
                o["next"] = w.Next;
                break;
            case IssueCouponStep c:
                o["batch"] = c.Batch;
                o["next"] = c.Next;
                break;
            case SplitStep s:
                var variants = new JsonArray();
                foreach (var v in s.Variants)
                {
                    var vo = new JsonObject { ["name"] = v.Name, ["weight"] = v.Weight };
                    Put(vo, "next", v.Next);
                    if (v.Holdout) vo["holdout"] = true;
                    variants.Add(vo);
                }
                o["variants"] = variants;
                break;
            case SendStep s:
                o["channel"] = ChannelName(s.Channel);
                o["purpose"] = s.Purpose == MessagePurpose.Marketing ? "marketing" : "transactional";
                if (s.Template is { } t)
                {
                    var to = new JsonObject();
                    Put(to, "subject", t.Subject);
                    to["text"] = t.Text;
                    Put(to, "html", t.Html);
                    o["template"] = to;
                }
                o["next"] = s.Next;
                break;
            case BranchStep b:
                o["condition"] = b.Condition switch
                {
                    EventSinceEntryCondition e => new JsonObject { ["event_since_entry"] = e.Event },
                    SegmentCondition c => new JsonObject { ["segment"] = c.Rule },
                    _ => throw new ArgumentException($"unknown condition {b.Condition.GetType().Name}", nameof(step)),
                };
                o["then"] = b.Then;
                o["else"] = b.Else;
                break;
            case AddPointsStep p:
                o["points"] = p.Points;
                Put(o, "reason", p.Reason);
                o["next"] = p.Next;
                break;
            case ExitStep:
                break;
            default:
                throw new ArgumentException($"unknown step {step.GetType().Name}", nameof(step));
        }
        return o;
    }

    private static void Put(JsonObject o, string key, string? value)
    {
        if (value is not null) o[key] = value;
    }

    /// <summary>"email", "sms", "wecom", "webhook".</summary>
    public static string ChannelName(ChannelKind channel) => channel.ToString().ToLowerInvariant();

    private static string ReentryName(ReentryMode mode) => mode switch
    {
        ReentryMode.OnceEver => "once_ever",
        ReentryMode.OncePer => "once_per",
        _ => "always",
    };

    private sealed class ParseFailure(string path, string message) : Exception(message)
    {
        public string Path { get; } = path;
    }

    /// <summary>Walks the tree; throws <see cref="ParseFailure"/> at the first problem.</summary>
    private sealed class Reader(bool lenientScalars)
    {
        public Journey Journey(JsonNode? node, string path)
        {
            var o = Object(node, path, "a journey");
            Keys(o, path, "id", "name", "description", "trigger", "reentry", "exit_when", "conditions", "experiment", "start", "steps");
            var id = Text(o, path, "id")!;
            var name = Text(o, path, "name")!;
            var description = Text(o, path, "description", required: false);
            var trigger = Trigger(o["trigger"], Child(path, "trigger"));
            var reentry = o.ContainsKey("reentry") ? Reentry(o["reentry"], Child(path, "reentry")) : ReentryRule.OnceEver;
            var exits = new List<ExitCondition>();
            if (o.ContainsKey("exit_when"))
            {
                var list = Array(o["exit_when"], Child(path, "exit_when"));
                for (var i = 0; i < list.Count; i++) exits.Add(Exit(list[i], $"{path}.exit_when[{i}]"));
            }
            var conditions = Text(o, path, "conditions", required: false);
            var experiment = Text(o, path, "experiment", required: false);
            var start = Text(o, path, "start")!;
            if (!o.ContainsKey("steps")) throw new ParseFailure(Child(path, "steps"), "steps is required (a list of steps)");
            var stepNodes = Array(o["steps"], Child(path, "steps"));
            var steps = new List<Step>(stepNodes.Count);
            for (var i = 0; i < stepNodes.Count; i++) steps.Add(Step(stepNodes[i], $"{path}.steps[{i}]"));
            return new Journey(id, name, description, trigger, reentry, exits, conditions, start, steps, experiment);
        }

        private Trigger Trigger(JsonNode? node, string path)
        {
            var o = Object(node, path, "a trigger");
            var type = OneOf(o, path, "type", TriggerTypes);
            switch (type)
            {
                case "event":
                    Keys(o, path, "type", "event", "unless", "within");
                    return new EventTrigger(Text(o, path, "event")!, Text(o, path, "unless", required: false), Duration(o, path, "within", required: false));
                case "segment_entry":
                    Keys(o, path, "type", "segment");
                    return new SegmentEntryTrigger(Text(o, path, "segment")!);
                case "segment_exit":
                    Keys(o, path, "type", "segment");
                    return new SegmentExitTrigger(Text(o, path, "segment")!);
                case "lifecycle":
                    Keys(o, path, "type", "to", "from");
                    return new LifecycleTrigger(Text(o, path, "to")!, Text(o, path, "from", required: false));
                case "date":
                    Keys(o, path, "type", "attribute", "days_before", "days_after");
                    var attribute = OneOf(o, path, "attribute", ["birthday", "first_order"]) == "birthday" ? DateAttribute.Birthday : DateAttribute.FirstOrder;
                    return new DateTrigger(attribute, (int?)Integer(o, path, "days_before", required: false), (int?)Integer(o, path, "days_after", required: false));
                default:
                    Keys(o, path, "type", "at", "days", "audience");
                    var days = new List<DayOfWeek>();
                    if (o.ContainsKey("days"))
                    {
                        var list = Array(o["days"], Child(path, "days"));
                        for (var i = 0; i < list.Count; i++)
                        {
                            var dayPath = $"{path}.days[{i}]";
                            var day = Scalar(list[i], dayPath, "a day (mon, tue, wed, thu, fri, sat, sun)");
                            var index = System.Array.IndexOf(DayNames, day);
                            if (index < 0) throw new ParseFailure(dayPath, $"unknown day \"{day}\" (mon, tue, wed, thu, fri, sat, sun)");
                            days.Add((DayOfWeek)index);
                        }
                    }
                    return new ScheduleTrigger(Text(o, path, "at")!, days, Text(o, path, "audience")!);
            }
        }

        private ReentryRule Reentry(JsonNode? node, string path)
        {
            var o = Object(node, path, "a re-entry rule");
            Keys(o, path, "mode", "every");
            var mode = OneOf(o, path, "mode", ["once_ever", "once_per", "always"]) switch
            {
                "once_ever" => ReentryMode.OnceEver,
                "once_per" => ReentryMode.OncePer,
                _ => ReentryMode.Always,
            };
            return new ReentryRule(mode, Duration(o, path, "every", required: false));
        }

        private ExitCondition Exit(JsonNode? node, string path)
        {
            var o = Object(node, path, "an exit condition ({\"event\": ...} or {\"segment\": ...})");
            Keys(o, path, "event", "segment");
            if (o.Count != 1) throw new ParseFailure(path, "an exit condition has exactly one of event, segment");
            return o.ContainsKey("event") ? new ExitOnEvent(Text(o, path, "event")!) : new ExitOnSegment(Text(o, path, "segment")!);
        }

        private Condition Condition(JsonNode? node, string path)
        {
            var o = Object(node, path, "a condition ({\"event_since_entry\": ...} or {\"segment\": ...})");
            Keys(o, path, "event_since_entry", "segment");
            if (o.Count != 1) throw new ParseFailure(path, "a condition has exactly one of event_since_entry, segment");
            return o.ContainsKey("segment") ? new SegmentCondition(Text(o, path, "segment")!) : new EventSinceEntryCondition(Text(o, path, "event_since_entry")!);
        }

        private Step Step(JsonNode? node, string path)
        {
            var o = Object(node, path, "a step");
            var id = Text(o, path, "id")!;
            var type = OneOf(o, path, "type", StepTypes);
            switch (type)
            {
                case "wait":
                    Keys(o, path, "id", "type", "duration", "next");
                    return new WaitStep(id, Duration(o, path, "duration", required: true)!.Value, Next(o, path));
                case "wait_until":
                    Keys(o, path, "id", "type", "local_time", "event_property", "next");
                    return new WaitUntilStep(id, Text(o, path, "local_time", required: false), Next(o, path), Text(o, path, "event_property", required: false));
                case "issue_coupon":
                    Keys(o, path, "id", "type", "batch", "next");
                    return new IssueCouponStep(id, Text(o, path, "batch")!, Next(o, path));
                case "split":
                    Keys(o, path, "id", "type", "variants");
                    if (!o.ContainsKey("variants")) throw new ParseFailure(Child(path, "variants"), "variants is required");
                    var list = Array(o["variants"], Child(path, "variants"));
                    var variants = new List<SplitVariant>(list.Count);
                    for (var i = 0; i < list.Count; i++)
                    {
                        var vp = $"{path}.variants[{i}]";
                        var v = Object(list[i], vp, "a variant");
                        Keys(v, vp, "name", "weight", "next", "holdout");
                        var weight = Integer(v, vp, "weight", required: true)!.Value;
                        if (weight is < int.MinValue or > int.MaxValue) throw new ParseFailure(Child(vp, "weight"), "weight is 1-100");
                        variants.Add(new SplitVariant(Text(v, vp, "name")!, (int)weight, Text(v, vp, "next", required: false), Boolean(v, vp, "holdout")));
                    }
                    return new SplitStep(id, variants);
                case "send":
                    Keys(o, path, "id", "type", "channel", "purpose", "template", "next");
                    var channel = OneOf(o, path, "channel", ["email", "sms", "wecom", "webhook"]) switch
                    {
                        "email" => ChannelKind.Email,
                        "sms" => ChannelKind.Sms,
                        "wecom" => ChannelKind.WeCom,
                        _ => ChannelKind.Webhook,
                    };
                    var purpose = o.ContainsKey("purpose") && OneOf(o, path, "purpose", ["marketing", "transactional"]) == "transactional"
                        ? MessagePurpose.Transactional : MessagePurpose.Marketing;
                    SendTemplate? template = null;
                    if (o["template"] is { } tn)
                    {
                        var tp = Child(path, "template");
                        var t = Object(tn, tp, "a template ({\"subject\", \"text\", \"html\"})");
                        Keys(t, tp, "subject", "text", "html");
                        template = new SendTemplate(Text(t, tp, "subject", required: false), Text(t, tp, "text")!, Text(t, tp, "html", required: false));
                    }
                    return new SendStep(id, channel, purpose, template, Next(o, path));
                case "branch":
                    Keys(o, path, "id", "type", "condition", "then", "else");
                    if (!o.ContainsKey("condition")) throw new ParseFailure(Child(path, "condition"), "condition is required");
                    return new BranchStep(id, Condition(o["condition"], Child(path, "condition")), Text(o, path, "then")!, Text(o, path, "else")!);
                case "add_points":
                    Keys(o, path, "id", "type", "points", "reason", "next");
                    return new AddPointsStep(id, Integer(o, path, "points", required: true)!.Value, Text(o, path, "reason", required: false), Next(o, path));
                default:
                    Keys(o, path, "id", "type");
                    return new ExitStep(id);
            }
        }

        private string Next(JsonObject o, string path) =>
            o.ContainsKey("next") ? Text(o, path, "next")! : throw new ParseFailure(Child(path, "next"), "next is required (end a path with an exit step) / 缺少 next");

        private static string Child(string path, string key) => path + "." + key;

        private static JsonObject Object(JsonNode? node, string path, string what) =>
            node as JsonObject ?? throw new ParseFailure(path, $"expected {what}, an object");

        private static JsonArray Array(JsonNode? node, string path) =>
            node as JsonArray ?? throw new ParseFailure(path, "expected a list");

        private static void Keys(JsonObject o, string path, params string[] allowed)
        {
            foreach (var (key, _) in o)
                if (System.Array.IndexOf(allowed, key) < 0)
                    throw new ParseFailure(Child(path, key), $"unknown property \"{key}\" (expected {string.Join(", ", allowed)})");
        }

        private string? Text(JsonObject o, string path, string key, bool required = true)
        {
            if (!o.TryGetPropertyValue(key, out var node) || node is null)
                return required ? throw new ParseFailure(Child(path, key), $"{key} is required") : null;
            return Scalar(node, Child(path, key), "a string");
        }

        private string Scalar(JsonNode? node, string path, string what)
        {
            if (node is JsonValue value)
            {
                var kind = value.GetValueKind();
                if (kind == JsonValueKind.String) return value.GetValue<string>();
                if (lenientScalars && kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) return value.ToJsonString();
            }
            throw new ParseFailure(path, $"expected {what}");
        }

        private static string OneOf(JsonObject o, string path, string key, string[] allowed)
        {
            if (!o.TryGetPropertyValue(key, out var node) || node is null)
                throw new ParseFailure(Child(path, key), $"{key} is required ({string.Join(", ", allowed)})");
            var text = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            if (text is null || System.Array.IndexOf(allowed, text) < 0)
                throw new ParseFailure(Child(path, key), $"unknown {key} {node.ToJsonString()} (expected {string.Join(", ", allowed)})");
            return text;
        }

        private static long? Integer(JsonObject o, string path, string key, bool required)
        {
            if (!o.TryGetPropertyValue(key, out var node) || node is null)
                return required ? throw new ParseFailure(Child(path, key), $"{key} is required (a whole number)") : null;
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n)) return n;
            if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < 1e15) return (long)x;
            throw new ParseFailure(Child(path, key), $"{key} is a whole number: {node.ToJsonString()}");
        }

        private static bool Boolean(JsonObject o, string path, string key)
        {
            if (!o.TryGetPropertyValue(key, out var node) || node is null) return false;
            if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValueKind() == JsonValueKind.True;
            throw new ParseFailure(Child(path, key), $"{key} is true or false");
        }

        private TimeSpan? Duration(JsonObject o, string path, string key, bool required)
        {
            var text = Text(o, path, key, required);
            if (text is null) return null;
            return JourneyDuration.TryParse(text, out var duration) ? duration
                : throw new ParseFailure(Child(path, key), $"a duration is a whole number and a unit m, h, d or w (30m, 2h, 7d, 1w): \"{text}\"");
        }
    }
}
