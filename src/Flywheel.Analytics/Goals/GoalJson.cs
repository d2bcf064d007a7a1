using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Goals;

/// <summary>
/// Goal JSON. The stored definition: {"id","name","metric","channel","baseline_from","baseline_to","start","deadline",
/// "target":{"relative":0.2}|{"absolute":N}} (absolute money in fen). The status shape (CLI and HTTP):
/// {"goals":[{"id","name","metric","channel","target_text","as_of","baseline","target","current","progress_pct","forecast",
/// "status","top_channels":[{"channel","baseline","current","delta"}]}]}, money in yuan with two decimals; on request each goal
/// also has "series":{"actual":[{"day","value"}],"forecast":[{"day","value"}]} (<see cref="GoalEvaluator.Series"/>).
/// </summary>
internal static class GoalJson
{
    public static string WriteDefinition(Goal goal)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", goal.Id);
            w.WriteString("name", goal.Name);
            w.WriteString("metric", goal.Metric);
            if (goal.Channel is null) w.WriteNull("channel"); else w.WriteString("channel", goal.Channel);
            w.WriteString("baseline_from", Day(goal.BaselineFrom));
            w.WriteString("baseline_to", Day(goal.BaselineTo));
            w.WriteString("start", Day(goal.Start));
            w.WriteString("deadline", Day(goal.Deadline));
            w.WriteStartObject("target");
            w.WriteNumber(goal.Target.IsRelative ? "relative" : "absolute", goal.Target.Value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static Result<Goal> ReadDefinition(string json)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            var target = root.GetProperty("target");
            var relative = target.TryGetProperty("relative", out var r);
            var goal = new Goal(root.GetProperty("id").GetString()!, root.GetProperty("name").GetString()!, root.GetProperty("metric").GetString()!,
                root.GetProperty("channel").GetString(), ParseDay(root, "baseline_from"), ParseDay(root, "baseline_to"),
                new GoalTarget(relative, relative ? r.GetDecimal() : target.GetProperty("absolute").GetDecimal()),
                ParseDay(root, "start"), ParseDay(root, "deadline"));
            return goal.Validate() is { } invalid ? invalid : goal;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Error.Invalid("definition", "a stored goal is not valid JSON: " + e.Message);
        }
    }

    /// <summary>The statuses; with <paramref name="series"/>, each goal also gets its path by day (<c>GET /v1/goals?series=true</c>).</summary>
    public static string WriteStatuses(IEnumerable<GoalStatus> statuses, Func<GoalStatus, GoalSeries>? series = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("goals");
            foreach (var s in statuses) WriteStatus(w, s, series?.Invoke(s));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string WriteStatus(GoalStatus status)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) WriteStatus(w, status);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStatus(Utf8JsonWriter w, GoalStatus s, GoalSeries? series = null)
    {
        var g = s.Goal;
        w.WriteStartObject();
        w.WriteString("id", g.Id);
        w.WriteString("name", g.Name);
        w.WriteString("metric", g.Metric);
        if (g.Channel is null) w.WriteNull("channel"); else w.WriteString("channel", g.Channel);
        w.WriteString("target_text", g.Target.ToText(g.Metric));
        w.WriteString("baseline_period", $"{Day(g.BaselineFrom)}..{Day(g.BaselineTo)}");
        w.WriteString("start", Day(g.Start));
        w.WriteString("deadline", Day(g.Deadline));
        w.WriteString("as_of", Day(s.AsOf));
        Value(w, "baseline", s.Baseline, g.Metric);
        Value(w, "target", s.Target, g.Metric);
        Value(w, "current", s.Current, g.Metric);
        if (s.ProgressPercent is { } p) w.WriteNumber("progress_pct", p); else w.WriteNull("progress_pct");
        Value(w, "forecast", s.Forecast, g.Metric);
        w.WriteString("status", s.Verdict);
        w.WriteStartArray("top_channels");
        foreach (var c in s.TopChannels)
        {
            w.WriteStartObject();
            w.WriteString("channel", c.Channel);
            Value(w, "baseline", c.Baseline, g.Metric);
            Value(w, "current", c.Current, g.Metric);
            Value(w, "delta", c.Delta, g.Metric);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (series is not null)
        {
            w.WriteStartObject("series");
            Points(w, "actual", series.Actual, g.Metric);
            Points(w, "forecast", series.Forecast, g.Metric);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Points(Utf8JsonWriter w, string name, IReadOnlyList<GoalPoint> points, string metric)
    {
        w.WriteStartArray(name);
        foreach (var p in points)
        {
            w.WriteStartObject();
            w.WriteString("day", Day(p.Day));
            Value(w, "value", p.Value, metric);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Money as yuan with two decimals (JSON number); counts and ratios as they are.</summary>
    private static void Value(Utf8JsonWriter w, string name, decimal? value, string metric)
    {
        if (value is not { } v) w.WriteNull(name);
        else if (GoalMetrics.IsMoney(metric)) w.WriteRawValueProperty(name, MoneyText.Format((long)Math.Round(v, 0, MidpointRounding.AwayFromZero)));
        else w.WriteNumber(name, v);
    }

    private static void WriteRawValueProperty(this Utf8JsonWriter w, string name, string raw)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(raw);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(JsonElement root, string name) =>
        DateOnly.ParseExact(root.GetProperty(name).GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
