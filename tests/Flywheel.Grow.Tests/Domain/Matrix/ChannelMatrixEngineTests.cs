using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Analytics.Kpis;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Matrix;

namespace Flywheel.Grow.Tests.Domain.Matrix;

public sealed class ChannelMatrixEngineTests
{
    private const string Zone = "Asia/Shanghai";
    private static readonly DateOnly Day1 = new(2026, 6, 1);

    private static long At(DateOnly day, int hour) =>
        new DateTimeOffset(day.Year, day.Month, day.Day, hour, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    [Fact]
    public void Compute_CountsEachMeasureOfAHandBuiltIndex()
    {
        var b = new EventIndexBuilder.Builder();
        b.AddCustomer("c1", null);
        b.AddCustomer("c2", null);
        // c1: first order ever before the range (so both in-range orders are repurchases), two channels of one stage.
        b.AddEvent("c1", null, "page_view", At(Day1, 10), "douyin", null, null, null, null, null, 0);
        b.AddEvent("c1", null, "page_view", At(Day1, 11), "weibo", null, null, null, null, null, 0);
        b.AddEvent("c1", null, "page_view", At(Day1.AddDays(1), 11), "douyin", null, null, null, null, null, 0);
        b.AddOrder("c1", At(Day1.AddDays(-40), 9), "tmall", null, 10_000, 0, 1, null);
        b.AddOrder("c1", At(Day1, 12), "tmall", null, 20_000, 0, 1, null);
        b.AddOrder("c1", At(Day1.AddDays(2), 12), "tmall", null, 30_000, 0, 1, null);
        // c2: a new customer on jd; an event outside the range is not counted.
        b.AddEvent("c2", null, "page_view", At(Day1, 9), "tmall", null, null, null, null, null, 0);
        b.AddEvent("c2", null, "page_view", At(Day1.AddDays(30), 9), "weibo", null, null, null, null, null, 0);
        b.AddOrder("c2", At(Day1, 20), "jd", null, 5_000, 0, 1, null);
        // A guest: an order that makes no buyer, no new customer and no repurchase.
        b.AddEvent(null, "a9", "page_view", At(Day1, 8), "email", null, null, null, null, null, 0);
        b.AddOrder("~a9", At(Day1, 8), "email", null, 1_000, 0, 1, null);
        b.AddSpend(Day1, "douyin", "", 40_000, 10_000, 200);
        b.AddSpend(Day1.AddDays(60), "douyin", "", 99_999, 99_999, 999);
        var index = b.Build(Zone);

        var m = ChannelMatrixEngine.Compute(index, Day1, Day1.AddDays(6), StageMap.Default);

        var awareness = m.Stages.Single(s => s.Stage == LifecycleStage.Awareness);
        Assert.Equal(["douyin", "weibo"], awareness.Channels.Select(c => c.Channel).Order());
        Assert.Equal(1, awareness.Totals.Visitors); // c1 on both: one visitor
        var douyin = awareness.Channels.Single(c => c.Channel == "douyin").Metrics;
        Assert.Equal((10_000L, 200L, 40_000L, 1L), (douyin.Impressions, douyin.Clicks, douyin.Spend, douyin.Visitors));
        Assert.Equal(0.02, douyin.Ctr);
        Assert.Equal(0.0, douyin.Roi);

        var tmall = m.Stages.Single(s => s.Stage == LifecycleStage.Decision).Channels.Single(c => c.Channel == "tmall").Metrics;
        Assert.Equal((1L, 1L, 2L, 50_000L, 0L, 2L), (tmall.Visitors, tmall.Buyers, tmall.Orders, tmall.Gmv, tmall.NewCustomers, tmall.RepurchaseOrders));
        var jd = m.Stages.Single(s => s.Stage == LifecycleStage.Decision).Channels.Single(c => c.Channel == "jd").Metrics;
        Assert.Equal((0L, 1L, 1L, 5_000L, 1L, 0L), (jd.Visitors, jd.Buyers, jd.Orders, jd.Gmv, jd.NewCustomers, jd.RepurchaseOrders));
        Assert.Equal(0, jd.Cac); // no spend: as the KPI report has it
        var email = m.Stages.Single(s => s.Stage == LifecycleStage.Repurchase).Channels.Single().Metrics;
        Assert.Equal((1L, 0L, 1L, 1_000L, 0L, 0L), (email.Visitors, email.Buyers, email.Orders, email.Gmv, email.NewCustomers, email.RepurchaseOrders));

        Assert.Equal(3, m.Total.Visitors);
        Assert.Equal(2, m.Total.Buyers);
        Assert.Equal(56_000, m.Total.Gmv);
        Assert.Equal(40_000, m.Total.Spend);
        Assert.Equal(1.0, m.Stages.Sum(s => s.BudgetShare ?? 0), 9);
        Assert.Equal(1.0, m.Stages.Sum(s => s.GmvShare ?? 0), 9);
        Assert.Empty(m.Stages.Single(s => s.Stage == LifecycleStage.Loyalty).Channels);
        Assert.Equal(LifecycleStage.All, m.Stages.Select(s => s.Stage));
    }

    [Fact]
    public void Compute_PutsAChannelUnderTheStageItIsAssigned()
    {
        var b = new EventIndexBuilder.Builder();
        b.AddCustomer("c1", null);
        b.AddEvent("c1", null, "page_view", At(Day1, 10), "email", null, null, null, null, null, 0);
        var index = b.Build(Zone);
        var map = new StageMap(new Dictionary<string, string>(StringComparer.Ordinal) { ["email"] = LifecycleStage.Loyalty });
        var m = ChannelMatrixEngine.Compute(index, Day1, Day1, map);
        Assert.Equal("email", m.Stages.Single(s => s.Stage == LifecycleStage.Loyalty).Channels.Single().Channel);
        Assert.Empty(m.Stages.Single(s => s.Stage == LifecycleStage.Repurchase).Channels);
    }

    /// <summary>
    /// Random indexes (enough visitors for the pass to split across cores): every channel's numbers equal the KPI report's by
    /// channel for the same range (GET /v1/metrics?by=channel), and each stage's totals equal a slow recount of its channels.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Compute_AgreesWithTheKpiReportByChannel_AndWithASlowStageRecount(int seed)
    {
        var random = new Random(seed);
        string[] channels = ["douyin", "weibo", "xiaohongshu", "tmall", "jd", "wechat", "sms", "email", "own_site", "kuaishou"];
        var start = At(new DateOnly(2026, 1, 1), 0);
        var b = new EventIndexBuilder.Builder();
        var customers = 3000;
        for (var c = 0; c < customers; c++) b.AddCustomer("c" + c.ToString(CultureInfo.InvariantCulture), null);
        for (var e = 0; e < 60_000; e++)
        {
            var customer = random.Next(customers + 300);
            var channel = random.Next(12) == 0 ? null : channels[random.Next(channels.Length)];
            if (customer < customers) b.AddEvent("c" + customer.ToString(CultureInfo.InvariantCulture), null, "page_view", start + random.NextInt64(0, 200L * 86_400_000), channel, null, null, null, null, null, 0);
            else b.AddEvent(null, "a" + customer.ToString(CultureInfo.InvariantCulture), "page_view", start + random.NextInt64(0, 200L * 86_400_000), channel, null, null, null, null, null, 0);
        }
        for (var o = 0; o < 4000; o++)
        {
            var customer = random.Next(customers + 100);
            var id = customer < customers ? "c" + customer.ToString(CultureInfo.InvariantCulture) : "~a" + customer.ToString(CultureInfo.InvariantCulture);
            b.AddOrder(id, start + random.NextInt64(0, 200L * 86_400_000), channels[random.Next(channels.Length)], null, random.NextInt64(100, 100_000), 0, 1, null);
        }
        for (var d = 0; d < 200; d++)
            foreach (var channel in channels.Take(5))
                b.AddSpend(new DateOnly(2026, 1, 1).AddDays(d), channel, "", random.NextInt64(0, 50_000), random.NextInt64(0, 10_000), random.NextInt64(0, 300));
        var index = b.Build(Zone);
        DateOnly from = new(2026, 2, 10), to = new(2026, 5, 20);
        var map = new StageMap(new Dictionary<string, string>(StringComparer.Ordinal) { ["sms"] = LifecycleStage.Loyalty });

        var matrix = ChannelMatrixEngine.Compute(index, from, to, map);
        var kpis = KpiEngine.Run(index, new KpiQuery(from, to) { By = KpiGrouping.Channel }).Value.ToDictionary(r => r.Key, StringComparer.Ordinal);

        var cells = matrix.Stages.SelectMany(s => s.Channels).ToList();
        Assert.Equal(kpis.Keys.Order(StringComparer.Ordinal), cells.Select(c => c.Channel).Order(StringComparer.Ordinal));
        foreach (var cell in cells)
        {
            var k = kpis[cell.Channel];
            var m = cell.Metrics;
            Assert.Equal((k.Visitors, k.Buyers, k.Orders, k.Gmv, k.NewBuyers), (m.Visitors, m.Buyers, m.Orders, m.Gmv, m.NewCustomers));
            Assert.Equal((k.Impressions ?? 0, k.Clicks ?? 0, k.Spend ?? 0), (m.Impressions, m.Clicks, m.Spend));
            Assert.Equal(k.Cvr, m.Cvr);
            Assert.Equal(k.Cac, m.Cac);
            Assert.Equal(k.Roi, m.Roi);
            Assert.Equal(map.Of(cell.Channel == ChannelMatrixEngine.NoChannel ? null : cell.Channel), cell.Stage);
        }
        var total = KpiEngine.Run(index, new KpiQuery(from, to)).Value.Single();
        Assert.Equal((total.Visitors, total.Buyers, total.Gmv, total.Spend), ((long?)matrix.Total.Visitors, matrix.Total.Buyers, matrix.Total.Gmv, (long?)matrix.Total.Spend));

        // Stage UV and buyers: distinct visitors over the stage's channels, recounted slowly.
        var calendar = new LocalCalendar(Zone);
        int first = calendar.StartOf(from), end = calendar.StartOf(to.AddDays(1));
        foreach (var stage in matrix.Stages)
        {
            var visitors = new HashSet<int>();
            var buyers = new HashSet<int>();
            for (var v = 0; v < index.VisitorCount; v++)
            {
                for (var e = index.EventStart[v]; e < index.EventStart[v + 1]; e++)
                    if (index.EventTime[e] >= first && index.EventTime[e] < end && map.Of(index.Channels.Decode(index.EventChannel[e])) == stage.Stage) visitors.Add(v);
                for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                    if (index.IsCustomer[v] && index.OrderPaidTime[o] >= first && index.OrderPaidTime[o] < end && map.Of(index.Channels.Decode(index.OrderChannel[o])) == stage.Stage) buyers.Add(v);
            }
            Assert.Equal(visitors.Count, stage.Totals.Visitors);
            Assert.Equal(buyers.Count, stage.Totals.Buyers);
            Assert.Equal(stage.Channels.Sum(c => c.Metrics.Gmv), stage.Totals.Gmv);
            Assert.Equal(stage.Channels.Sum(c => c.Metrics.RepurchaseOrders + c.Metrics.NewCustomers), stage.Totals.RepurchaseOrders + stage.Totals.NewCustomers);
        }
    }
}
