using System.Text.Json;
using Flywheel.Analytics.Kpis;

namespace Flywheel.Analytics.Tests.Kpis;

public sealed class KpiJsonTests
{
    private static readonly KpiRow Current = new("total", 54000, 0, 4, 4, 0, 3, 1, 2, 5, 5, 5, 1000, 10, 20000);
    private static readonly KpiRow Before = new("total", 10000, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0);

    [Fact]
    public void Write_ReportWithoutComparisons_IsExactlyTheRowsContract()
    {
        var query = new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7));
        var report = new KpiReport(query, [new KpiComparedRow(Current, null, null)]);
        // The rows exactly as the plain rows writer has them, then the range and time zone the report used (issue 12).
        var rowsOnly = KpiJson.Write([Current]);
        Assert.Equal(rowsOnly[..^1] + ""","from":"2026-05-01","to":"2026-05-07","time_zone":"Asia/Shanghai"}""", KpiJson.Write(report, "Asia/Shanghai"));
        using var json = JsonDocument.Parse(KpiJson.Write(report, "Asia/Shanghai"));
        Assert.Equal(["rows", "from", "to", "time_zone"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var row = json.RootElement.GetProperty("rows")[0];
        Assert.Equal(["key", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac"],
            row.EnumerateObject().Select(p => p.Name).Take(11).ToArray());
        Assert.Equal("540.00", row.GetProperty("gmv").GetRawText());
        // With the store's currency, it closes the top level.
        Assert.EndsWith(""","time_zone":"Asia/Shanghai","currency":"GBP"}""",
            KpiJson.Write(report, "Asia/Shanghai", Flywheel.Primitives.Currency.Parse("gbp").Value), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithComparisons_AddsPartnersChangesAndRanges()
    {
        var query = new KpiQuery(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 7), Compare: KpiComparison.Previous | KpiComparison.YearOverYear);
        var report = new KpiReport(query, [new KpiComparedRow(Current, Before, null)]);
        using var json = JsonDocument.Parse(KpiJson.Write(report));
        var row = json.RootElement.GetProperty("rows")[0];
        Assert.Equal("540.00", row.GetProperty("gmv").GetRawText());
        Assert.Equal("100.00", row.GetProperty("previous").GetProperty("gmv").GetRawText());
        Assert.Equal("total", row.GetProperty("previous").GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("yoy").ValueKind);
        var gmv = row.GetProperty("change").GetProperty("previous").GetProperty("gmv");
        Assert.Equal("440.00", gmv.GetProperty("absolute").GetRawText());
        Assert.Equal(4.4, gmv.GetProperty("relative").GetDouble());
        Assert.Equal(KpiJson.ComparedKpis, row.GetProperty("change").GetProperty("previous").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("change").GetProperty("previous").GetProperty("roi").GetProperty("relative").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("change").GetProperty("yoy").ValueKind);
        var compare = json.RootElement.GetProperty("compare");
        Assert.Equal("2026-04-24", compare.GetProperty("previous").GetProperty("from").GetString());
        Assert.Equal("2025-05-07", compare.GetProperty("yoy").GetProperty("to").GetString());
    }

    [Fact]
    public void Write_PeriodRows_StateWhetherTheRangeAndTheDataCoverThem()
    {
        // May 2026 asked for whole, but the data ends on 05-07; the week of 05-04 asked from 05-05.
        var months = new KpiReport(new KpiQuery(new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 31), KpiGrouping.Month),
            [new KpiComparedRow(Current with { Key = "2026-04" }, null, null), new KpiComparedRow(Current with { Key = "2026-05" }, null, null)],
            (new DateOnly(2026, 1, 1), new DateOnly(2026, 5, 7)));
        using (var json = JsonDocument.Parse(KpiJson.Write(months)))
        {
            var rows = json.RootElement.GetProperty("rows");
            Assert.Equal((false, 30, 30), Coverage(rows[0]));
            Assert.Equal((true, 7, 31), Coverage(rows[1]));
        }
        var weeks = new KpiReport(new KpiQuery(new DateOnly(2026, 5, 5), new DateOnly(2026, 5, 10), KpiGrouping.Week),
            [new KpiComparedRow(Current with { Key = "2026-05-04" }, null, null)]);
        using (var json = JsonDocument.Parse(KpiJson.Write(weeks))) Assert.Equal((true, 6, 7), Coverage(json.RootElement.GetProperty("rows")[0]));

        static (bool, int, int) Coverage(JsonElement row) =>
            (row.GetProperty("partial").GetBoolean(), row.GetProperty("days_covered").GetInt32(), row.GetProperty("days_in_period").GetInt32());
    }

    [Fact]
    public void Columns_UnmeasuredTrafficAndSpend_AreNull()
    {
        var row = KpiRow.Empty("flagship", traffic: false, spend: false) with { Gmv = 100, Orders = 1, Buyers = 1 };
        var columns = KpiJson.Columns(row).ToDictionary(c => c.Name, c => c.Value);
        foreach (var name in new[] { "uv", "cvr", "spend", "roi", "cac", "pv", "sessions", "impressions", "clicks", "ctr", "cpc", "cpm" })
            Assert.Null(columns[name]);
        Assert.Equal("1.00", columns["gmv"]);
    }
}
