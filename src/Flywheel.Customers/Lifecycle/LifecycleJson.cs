using Flywheel.Customers.Contracts;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Customers.Rfm;
using Flywheel.Customers.Storage;

namespace Flywheel.Customers.Lifecycle;

/// <summary>
/// <c>{"as_of":"2026-06-30","recorded":true,"stages":[{"stage":"active","name_zh":"活跃","customers":N}],
/// "transitions":[{"id":1,"customer_id":..,"from":null,"to":"new","at":"…","as_of":"…"}]}</c>.
/// </summary>
internal static class LifecycleJson
{
    public static string Write(LifecycleRefresh refresh, bool recorded, int transitions = 100)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RfmJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("as_of", refresh.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteBoolean("recorded", recorded);
            json.WriteStartArray("stages");
            foreach (var stage in LifecycleStages.All)
            {
                json.WriteStartObject();
                json.WriteString("stage", stage);
                json.WriteString("name_zh", LifecycleStages.NameZh(stage));
                json.WriteNumber("customers", refresh.Stages.GetValueOrDefault(stage));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("transition_count", refresh.Transitions.Count);
            WriteTransitions(json, refresh.Transitions.Take(transitions));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string WriteTransitions(IEnumerable<StageTransition> transitions)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RfmJson.Options))
        {
            json.WriteStartObject();
            WriteTransitions(json, transitions);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTransitions(Utf8JsonWriter json, IEnumerable<StageTransition> transitions)
    {
        json.WriteStartArray("transitions");
        foreach (var t in transitions)
        {
            json.WriteStartObject();
            json.WriteNumber("id", t.Id);
            json.WriteString("customer_id", t.CustomerId);
            if (t.From is null) json.WriteNull("from");
            else json.WriteString("from", t.From);
            json.WriteString("to", t.To);
            json.WriteString("at", t.At.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("as_of", t.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static string Text(LifecycleRefresh refresh, bool recorded)
    {
        var text = new StringBuilder();
        var total = Math.Max(1, refresh.Stages.Values.Sum());
        text.Append(CultureInfo.InvariantCulture, $"Lifecycle 生命周期 as of 截至 {refresh.AsOf:yyyy-MM-dd}\n");
        foreach (var stage in LifecycleStages.All)
        {
            var n = refresh.Stages.GetValueOrDefault(stage);
            text.Append(CultureInfo.InvariantCulture, $"  {RfmJson.Pad(LifecycleStages.NameZh(stage) + " " + stage, 26)}{n,12:N0}{(double)n / total * 100,8:0.0}%\n");
        }
        text.Append(CultureInfo.InvariantCulture,
            $"{refresh.Transitions.Count:N0} stage changes 阶段变化 {(recorded ? "recorded 已记录" : "not recorded (add --record) 未记录")}\n");
        foreach (var group in refresh.Transitions.GroupBy(t => (t.From ?? "-") + " → " + t.To).OrderByDescending(g => g.Count()).Take(10))
            text.Append(CultureInfo.InvariantCulture, $"  {group.Key,-30}{group.Count(),10:N0}\n");
        return text.ToString();
    }
}
