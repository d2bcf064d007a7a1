using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Flywheel.Ingestion.Demo;
using Flywheel.Primitives;
using Flywheel.Storage.Queries;

namespace Flywheel.Cli.Commands;

/// <summary>Prints a <see cref="StoreOverview"/> as aligned text (Chinese and English labels) or as JSON.</summary>
internal static class OverviewOutput
{
    /// <summary>Aligned text; money with the symbol of <paramref name="currency"/>, the store's.</summary>
    public static async Task WriteTextAsync(TextWriter output, StoreOverview o, int topChannels, Currency currency)
    {
        string Yuan(long minor) => MoneyText.Display(minor, currency);
        var text = new StringBuilder();
        var range = o.From is null && o.To is null ? "all data 全部数据" : $"{Day(o.From) ?? "…"} .. {Day(o.To) ?? "…"} ({o.TimeZone}){(o.WholeRange ? ", all data 全部数据" : "")}";
        text.AppendLine(CultureInfo.InvariantCulture, $"Store overview 店铺概览 — {range}");
        void Row(string label, string value) => text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-22}{value,20}");
        Row("GMV 成交额", Yuan(o.Gmv));
        Row("Orders 订单数", Count(o.Orders));
        Row("Buyers 买家数", Count(o.Buyers));
        Row("UV 访客数", Count(o.Visitors));
        Row("CVR 转化率", Percent(o.Cvr));
        Row("AOV 客单价", o.Aov is { } aov ? Yuan(aov) : "-");
        Row("Repurchase 复购率", Percent(o.RepurchaseRate));
        Row("Ad spend 广告花费", Yuan(o.AdSpend));
        Row("ROI 投入产出比", Ratio(o.Roi));
        text.AppendLine();
        text.AppendLine("  Top channels by GMV 渠道排行");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  {"channel",-12}{"GMV",18}{"orders",10}{"buyers",10}{"UV",11}{"ad spend",16}{"ROI",8}  渠道");
        foreach (var c in o.Channels.Take(topChannels))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {c.Channel,-12}{Yuan(c.Gmv),18}{Count(c.Orders),10}{Count(c.Buyers),10}{Count(c.Visitors),11}{(c.AdSpend > 0 ? Yuan(c.AdSpend) : "-"),16}{Ratio(c.Roi),8}  {ChannelNames.Display(c.Channel)}");
        }
        await output.WriteAsync(text.ToString());
    }

    /// <summary>
    /// snake_case keys; money as strings with two decimals ("1234.50") in <c>currency</c> (the store's ISO code); ratios as
    /// numbers or null.
    /// </summary>
    public static async Task WriteJsonAsync(TextWriter output, StoreOverview o, int topChannels, Currency currency)
    {
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("from", Day(o.From));
            json.WriteString("to", Day(o.To));
            json.WriteString("time_zone", o.TimeZone);
            json.WriteString("currency", currency.ToString());
            json.WriteString("gmv", MoneyText.Format(o.Gmv));
            json.WriteNumber("orders", o.Orders);
            json.WriteNumber("buyers", o.Buyers);
            json.WriteNumber("repeat_buyers", o.RepeatBuyers);
            json.WriteNumber("uv", o.Visitors);
            Number(json, "cvr", o.Cvr);
            json.WriteString("aov", o.Aov is { } aov ? MoneyText.Format(aov) : null);
            Number(json, "repurchase_rate", o.RepurchaseRate);
            json.WriteString("ad_spend", MoneyText.Format(o.AdSpend));
            Number(json, "roi", o.Roi);
            json.WriteStartArray("channels");
            foreach (var c in o.Channels.Take(topChannels))
            {
                json.WriteStartObject();
                json.WriteString("channel", c.Channel);
                json.WriteString("name", ChannelNames.Display(c.Channel));
                json.WriteString("gmv", MoneyText.Format(c.Gmv));
                json.WriteNumber("orders", c.Orders);
                json.WriteNumber("buyers", c.Buyers);
                json.WriteNumber("uv", c.Visitors);
                json.WriteString("ad_spend", MoneyText.Format(c.AdSpend));
                Number(json, "roi", c.Roi);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, Math.Round(v, 6));
        else json.WriteNull(name);
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
