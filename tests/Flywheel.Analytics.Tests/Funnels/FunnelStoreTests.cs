using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;
using Flywheel.Ingestion.Import;
using Flywheel.Ingestion.Parsing;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Funnels;

/// <summary>The funnel over an index built from a real store (CSV import, then EventIndexBuilder), on both engines.</summary>
public sealed class FunnelStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-funnel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Run_ImportedStore_CountsWithinTheWindow(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var imports = new (ImportKind Kind, string Csv)[]
        {
            (ImportKind.Customers, "customer_id,name,city\nu1,Li,Shanghai\nu2,Wang,Chengdu\nu3,Zhao,Beijing\n"),
            (ImportKind.Products, "sku,name,category,list_price\nk1,Cream,beauty,100.00\nk2,Rice,food,5.00\n"),
            (ImportKind.Events, """
                event_id,customer_id,type,time,channel,sku
                v1,u1,product_view,2026-05-01T09:00:00+08:00,douyin,k1
                v2,u1,add_to_cart,2026-05-01T09:05:00+08:00,douyin,k1
                v3,u1,order_paid,2026-05-08T09:00:00+08:00,,
                v4,u2,product_view,2026-05-02T09:00:00+08:00,tmall,k2
                v5,u2,add_to_cart,2026-05-12T09:00:00+08:00,tmall,k2
                v6,u3,product_view,2026-05-03T23:30:00+08:00,tmall,k1
                v7,u3,add_to_cart,2026-05-03T23:40:00+08:00,tmall,k1
                """ + "\n"),
        };
        foreach (var (kind, csv) in imports)
        {
            var imported = await Importer.ImportAsync(store, new ImportRequest(kind, Write($"{kind}.csv", csv)), null, CancellationToken.None);
            Assert.True(imported.Error is null, $"{kind}: {imported.Error}");
        }
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var steps = FunnelStep.ParseList("product_view,add_to_cart,order_paid").Value;

        var all = FunnelEngine.Run(index, FunnelQuery.Create(steps, 7 * 86400, breakdown: FunnelBreakdown.Channel).Value).Value;
        Assert.Equal([3L, 2L, 1L], all.Steps.Select(s => s.Customers));
        Assert.Equal(["u2"], all.DroppedAt(0));
        Assert.Equal(["u3"], all.DroppedAt(1));
        Assert.Equal([("tmall", 2L, 1L), ("douyin", 1L, 1L)], all.Breakdown.Select(r => (r.Value, r.Customers[0], r.Customers[1])));

        // u1 paid exactly 7 days after the view: the window is inclusive.
        Assert.Equal(7 * 86400, all.Steps[2].MedianSeconds);

        var beauty = FunnelStep.ParseList("product_view[category=beauty],add_to_cart").Value;
        Assert.Equal([2L, 2L], FunnelEngine.Run(index, FunnelQuery.Create(beauty, 86400).Value).Value.Steps.Select(s => s.Customers));

        // First step on 3 May local time only: u3 (23:30 +08:00 is still 3 May in Shanghai).
        var calendar = new LocalCalendar(index.TimeZone);
        var day = new DateOnly(2026, 5, 3);
        var ranged = FunnelQuery.Create(steps, 7 * 86400, firstStepFrom: calendar.StartOf(day), firstStepTo: calendar.StartOf(day.AddDays(1))).Value;
        Assert.Equal([1L, 1L, 0L], FunnelEngine.Run(index, ranged).Value.Steps.Select(s => s.Customers));
    }
}
