using System.Globalization;
using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Funnels;

/// <summary>
/// How events advance a funnel. All modes follow ClickHouse <c>windowFunnel</c>: the window counts from the chain's
/// first-step event and is inclusive (an event at exactly first + window counts).
/// </summary>
internal enum FunnelMode
{
    /// <summary>Events that match no step, or match a step out of order, are skipped.</summary>
    Default,
    /// <summary>ClickHouse <c>strict_order</c>: once the first step is seen, any event that matches no step, or matches a step whose
    /// previous step has not been reached, stops the search.</summary>
    StrictOrder,
    /// <summary>ClickHouse <c>strict_increase</c>: a step advances only on a strictly later timestamp than the previous step's event.</summary>
    StrictIncrease,
    /// <summary>
    /// Each event counts for at most one step. Every mode already does this (an event that matches several steps advances the
    /// highest step it can), so this behaves as <see cref="Default"/>; it is kept as a name scripts can state explicitly.
    /// It is not ClickHouse <c>strict_deduplication</c> (a repeated step does not stop the search).
    /// </summary>
    StrictOnce,
}

/// <summary>An event column a step can be filtered on.</summary>
internal enum FunnelField { Channel, Source, Medium, Campaign, Sku, Category, Kol }

/// <summary>What each visitor is grouped by in the breakdown.</summary>
internal enum FunnelBreakdown
{
    None,
    /// <summary>The channel of the first-step event that started the visitor's deepest chain.</summary>
    Channel,
    /// <summary>The channel of the visitor's earliest event that carries a channel.</summary>
    FirstTouchChannel,
}

/// <summary>A step condition <c>field = value</c>; a value the index never holds matches nothing.</summary>
internal sealed record FunnelFilter(FunnelField Field, string Value);

/// <summary>One funnel step: an event type plus filters that must all hold.</summary>
internal sealed record FunnelStep(string EventType, IReadOnlyList<FunnelFilter> Filters)
{
    public FunnelStep(string eventType) : this(eventType, []) { }

    /// <summary>The step as written: <c>product_view</c> or <c>product_view[category=beauty]</c>.</summary>
    public string Label => Filters.Count == 0 ? EventType
        : EventType + "[" + string.Join(",", Filters.Select(f => $"{FieldName(f.Field)}={f.Value}")) + "]";

    internal static string FieldName(FunnelField field) => field.ToString().ToLowerInvariant();

    /// <summary>Parses <c>type</c> or <c>type[field=value,field=value]</c> (fields: channel, source, medium, campaign, sku, category, kol).</summary>
    public static Result<FunnelStep> Parse(string text)
    {
        text = text.Trim();
        var open = text.IndexOf('[', StringComparison.Ordinal);
        if (open < 0) return text.Length == 0 ? Error.Invalid("steps", "a step is empty") : new FunnelStep(text);
        if (!text.EndsWith(']') || open == 0) return Error.Invalid("steps", $"step '{text}' should read type[field=value], e.g. product_view[category=beauty]");
        var filters = new List<FunnelFilter>();
        foreach (var part in text[(open + 1)..^1].Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1 || !Enum.TryParse<FunnelField>(part[..eq].Trim(), ignoreCase: true, out var field) ||
                !Enum.IsDefined(field) || int.TryParse(part[..eq], CultureInfo.InvariantCulture, out _))
                return Error.Invalid("steps", $"filter '{part}' in step '{text}' should be field=value with field one of channel, source, medium, campaign, sku, category, kol");
            filters.Add(new FunnelFilter(field, part[(eq + 1)..].Trim()));
        }
        return new FunnelStep(text[..open].Trim(), filters);
    }

    /// <summary>Splits a comma-separated step list, keeping commas inside brackets with their step.</summary>
    public static Result<IReadOnlyList<FunnelStep>> ParseList(string text)
    {
        var steps = new List<FunnelStep>();
        var depth = 0;
        var current = new StringBuilder();
        foreach (var c in text + ",")
        {
            if (c == ',' && depth == 0)
            {
                var parsed = Parse(current.ToString());
                if (!parsed.TryGetValue(out var step, out var error)) return error;
                steps.Add(step);
                current.Clear();
                continue;
            }
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            current.Append(c);
        }
        if (depth != 0 || current.Length > 0) return Error.Invalid("steps", $"unbalanced brackets in '{text}'");
        return steps;
    }
}

/// <summary>
/// A validated funnel query. Create it with <see cref="Create"/>; the event types are checked against an index when it runs.
/// </summary>
internal sealed record FunnelQuery
{
    /// <summary>As in ClickHouse, at most 32 steps (a visitor's progress fits one 32-bit mask).</summary>
    public const int MaxSteps = 32;

    /// <summary>30m, 12h, 7d, 45s or a bare number of seconds; must fit an int.</summary>
    public static bool TryParseWindow(string text, out int seconds)
    {
        seconds = 0;
        text = text.Trim();
        if (text.Length == 0) return false;
        var unit = char.ToLowerInvariant(text[^1]) switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, 'w' => 604800L, _ => 0L };
        var digits = unit == 0 ? text : text[..^1];
        if (unit == 0) unit = 1;
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > int.MaxValue / unit) return false;
        seconds = (int)(n * unit);
        return true;
    }


    /// <summary>
    /// Event types of the ingestion contract. A funnel may name one the store has not seen yet (it counts zero);
    /// mirrors Flywheel.Ingestion's EventTypes.Known, which analytics does not reference.
    /// </summary>
    public static readonly IReadOnlySet<string> ContractEventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "impression", "click", "page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "begin_checkout", "order_paid",
        "refund", "share", "review", "ugc_post", "coupon_claimed", "message_delivered", "message_opened", "message_clicked", "login",
        "signup", "identify",
    };

    private FunnelQuery() { }

    public IReadOnlyList<FunnelStep> Steps { get; private init; } = [];
    /// <summary>Seconds from the first step's event within which later steps count (inclusive), &gt; 0.</summary>
    public int WindowSeconds { get; private init; }
    public FunnelMode Mode { get; private init; }
    /// <summary>First-step events count only at index time &gt;= this (null: no bound).</summary>
    public int? FirstStepFrom { get; private init; }
    /// <summary>First-step events count only at index time &lt; this (null: no bound).</summary>
    public int? FirstStepTo { get; private init; }
    public FunnelBreakdown Breakdown { get; private init; }

    public static Result<FunnelQuery> Create(IReadOnlyList<FunnelStep> steps, int windowSeconds, FunnelMode mode = FunnelMode.Default,
        int? firstStepFrom = null, int? firstStepTo = null, FunnelBreakdown breakdown = FunnelBreakdown.None)
    {
        if (steps.Count is 0 or > MaxSteps)
            return Error.Invalid("steps", $"a funnel has 1 to {MaxSteps} steps, not {steps.Count}");
        for (var i = 0; i < steps.Count; i++)
            if (string.IsNullOrWhiteSpace(steps[i].EventType))
                return Error.Invalid("steps", $"step {i + 1} has no event type");
        if (windowSeconds <= 0)
            return Error.Invalid("window", $"the window must be more than 0 seconds, not {windowSeconds}");
        if (firstStepFrom is { } f && firstStepTo is { } t && t < f)
            return Error.Invalid("to", "the time range ends before it starts");
        if (!Enum.IsDefined(mode)) return Error.Invalid("mode", $"unknown mode {mode}");
        if (!Enum.IsDefined(breakdown)) return Error.Invalid("by", $"unknown breakdown {breakdown}");
        return new FunnelQuery
        {
            Steps = [.. steps], WindowSeconds = windowSeconds, Mode = mode, FirstStepFrom = firstStepFrom, FirstStepTo = firstStepTo,
            Breakdown = breakdown,
        };
    }
}
