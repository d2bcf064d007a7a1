using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Customers.Rfm;
using Flywheel.Primitives;

namespace Flywheel.Customers.Personas;

/// <summary>
/// Persona output: <c>{"segment":..,"customers":N,"base_customers":N,"aov":123.45,"base_aov":..,"orders_per_customer":..,
/// "base_orders_per_customer":..,"highlights":[{"dimension":"gender","value":"female","share":..,"base_share":..,"lift":..,
/// "text_zh":..,"text_en":..}],"dimensions":[{"code":..,"name_zh":..,"name_en":..,"values":[{"value":..,"label_zh":..,
/// "label_en":..,"customers":N,"share":..,"base_customers":N,"base_share":..,"lift":..}]}]}</c>.
/// </summary>
internal static class PersonaJson
{
    public static string Write(PersonaResult p)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RfmJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("segment", p.Segment);
            json.WriteString("as_of", p.AsOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("customers", p.Customers);
            json.WriteNumber("base_customers", p.BaseCustomers);
            Money(json, "aov", p.Aov);
            Money(json, "base_aov", p.BaseAov);
            Number(json, "orders_per_customer", p.OrdersPerCustomer);
            Number(json, "base_orders_per_customer", p.BaseOrdersPerCustomer);
            json.WriteStartArray("highlights");
            foreach (var h in p.Highlights)
            {
                json.WriteStartObject();
                json.WriteString("dimension", h.Dimension.Code);
                json.WriteString("value", h.Value.Value);
                json.WriteNumber("share", h.Value.Share);
                json.WriteNumber("base_share", h.Value.BaseShare);
                Number(json, "lift", h.Value.Lift);
                json.WriteString("text_zh", h.TextZh);
                json.WriteString("text_en", h.TextEn);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("dimensions");
            foreach (var d in p.Dimensions)
            {
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                json.WriteString("name_zh", d.NameZh);
                json.WriteString("name_en", d.NameEn);
                json.WriteStartArray("values");
                foreach (var v in d.Values)
                {
                    json.WriteStartObject();
                    json.WriteString("value", v.Value);
                    json.WriteString("label_zh", v.LabelZh);
                    json.WriteString("label_en", v.LabelEn);
                    json.WriteNumber("customers", v.Count);
                    json.WriteNumber("share", v.Share);
                    json.WriteNumber("base_customers", v.BaseCount);
                    json.WriteNumber("base_share", v.BaseShare);
                    Number(json, "lift", v.Lift);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Money(Utf8JsonWriter json, string name, long? fen)
    {
        json.WritePropertyName(name);
        if (fen is { } v) json.WriteRawValue(MoneyText.Format(v));
        else json.WriteNullValue();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    /// <summary>
    /// The terminal form: who they are in sentences first, then each dimension's top values against the base; money with
    /// the symbol of <paramref name="currency"/> (the store's; default CNY).
    /// </summary>
    public static string Text(PersonaResult p, int topValues = 5, Currency currency = default)
    {
        var symbol = currency.Symbol;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Persona 人群画像: {p.Segment} as of 截至 {p.AsOf:yyyy-MM-dd} — {p.Customers:N0} customers 人 ({(double)p.Customers / Math.Max(1, p.BaseCustomers) * 100:0.0}% of {p.BaseCustomers:N0})\n");
        text.Append(CultureInfo.InvariantCulture,
            $"AOV 客单价 {symbol}{(p.Aov is { } a ? MoneyText.Format(a) : "-")} (all 全体 {symbol}{(p.BaseAov is { } b ? MoneyText.Format(b) : "-")}), orders per customer 人均订单 {p.OrdersPerCustomer:0.00} (all 全体 {p.BaseOrdersPerCustomer:0.00})\n\n");
        text.Append("What sets them apart 显著特征:\n");
        if (p.Highlights.Count == 0) text.Append("  (nothing stands out 无显著差异)\n");
        foreach (var h in p.Highlights) text.Append("  • ").Append(h.TextZh).Append("\n    ").Append(h.TextEn).Append('\n');
        foreach (var d in p.Dimensions)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{d.NameZh} {d.NameEn}\n");
            foreach (var v in d.Values.Take(topValues))
                text.Append(CultureInfo.InvariantCulture,
                    $"  {RfmJson.Pad(v.LabelZh, 16)}{v.Share * 100,6:0.0}%   all 全体 {v.BaseShare * 100,5:0.0}%   lift {(v.Lift is { } l ? l.ToString("0.00", CultureInfo.InvariantCulture) : "-")}\n");
        }
        return text.ToString();
    }
}
