using Flywheel.Grow.Features.Content;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features;

/// <summary>
/// A hand-made store for the content and keyword reports; the expected numbers are worked out in the tests' comments. Period:
/// 2026-06-01 .. 2026-06-02 (Asia/Shanghai). Every order is one line of SKU P1 without shipping, so its GMV is its price.
/// </summary>
internal static class HandStore
{
    public static long At(int month, int day, int hour, int minute = 0) =>
        new DateTimeOffset(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    public const string Ledger = """
        content_id,title,kind,platform,published_at,owner,stage,cost,views
        A,笔记A,note,xiaohongshu,2026-05-25,kol,interest,1000,1000
        B,短视频B,short_video,douyin,2026-05-25,koc,interest,500,200
        C,笔记C,note,xiaohongshu,2026-05-25,brand,awareness,0,0
        D,长视频D,long_video,bilibili,2026-06-05,kol,interest,800,999
        E,话题E,topic,weibo,2026-05-30,brand,awareness,200,100
        """;

    public static async Task<FlywheelStore> OpenAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await using (var s = await IngestSession.BeginAsync(store, "test", "hand-made", CancellationToken.None))
        {
            s.UpsertProduct(new ProductRow { Sku = "P1", Name = "P1", Category = "test", ListPrice = 100_000 });
            foreach (var id in new[] { "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13" })
                Assert.True(s.UpsertCustomer(new CustomerRow { CustomerId = id }).IsSuccess);
            var n = 0;
            void Event(string? customer, string? anonymous, string type, long time, string? content = null, string? term = null, string? channel = "xiaohongshu",
                string? medium = "kol", string? properties = null) =>
                s.WriteEvent(new EventRow
                {
                    EventId = "e" + ++n, Type = type, Time = time, CustomerId = customer, AnonymousId = anonymous, Channel = channel, Medium = medium, Content = content,
                    Term = term, Properties = properties,
                });
            void Order(string id, string customer, long paidAt, long price)
            {
                var order = new OrderRow { OrderId = id, CustomerId = customer, Channel = "tmall", Status = "paid", PlacedAt = paidAt - 60_000, PaidAt = paidAt };
                order.Lines.Add(new OrderLineRow { Sku = "P1", Quantity = 1, UnitPrice = price });
                Assert.True(s.WriteOrder(order, createMissingProducts: false).IsSuccess);
            }

            // Content touches.
            Event("c1", null, "page_view", At(6, 1, 10), "A");
            Event("c1", null, "page_view", At(6, 1, 10, 10), "A");     // same visit as 10:00
            Event("c1", null, "page_view", At(6, 1, 11), "A");         // a new visit
            Order("O1", "c1", At(6, 1, 12), 20_000);                   // -> A (last content touch 11:00)
            Event("c2", null, "page_view", At(6, 1, 9), "A");
            Event("c2", null, "click", At(6, 1, 9, 30), "B", channel: "douyin");
            Order("O2", "c2", At(6, 1, 10), 10_000);                   // -> B
            Event("c3", null, "page_view", At(5, 28, 10), "B", channel: "douyin"); // before the period: no click, but within 7 days of O3
            Order("O3", "c3", At(6, 1, 9), 30_000);                    // -> B
            Event("c4", null, "page_view", At(6, 2, 10), "A");
            Order("O4", "c4", At(6, 10, 10), 50_000);                  // paid after the period
            Event("c5", null, "page_view", At(5, 20, 10), "A");
            Order("O5", "c5", At(6, 2, 10), 50_000);                   // 13 days after the touch: not credited
            Event(null, "x1", "page_view", At(6, 2, 15), "B", channel: "douyin");
            Event(null, "x1", "page_view", At(6, 2, 15, 40), "B", channel: "douyin"); // 40 min later: a new visit
            Event("c6", null, "page_view", At(6, 1, 13), "A");
            Event("c6", null, "page_view", At(6, 1, 14), "Z");         // not in the ledger
            Order("O6", "c6", At(6, 1, 15), 40_000);                   // last content touch Z: credited to nothing
            foreach (var c in new[] { "c7", "c8", "c9", "c10" }) Event(c, null, "page_view", At(6, 2, 8), "E", channel: "weibo");
            Event("c1", null, "page_view", At(6, 1, 9), "D", channel: "bilibili"); // D is published after the period: not listed

            // On-site searches.
            Event("c1", null, "search", At(6, 1, 9, 50), term: "防晒", channel: "own_site", medium: null, properties: """{"results":12}""");
            Event("c1", null, "product_view", At(6, 1, 9, 55), channel: "own_site", medium: null);
            Event("c2", null, "search", At(6, 1, 9, 40), term: "防晒", channel: "own_site", medium: null, properties: """{"results":12}""");
            Event("c2", null, "search", At(6, 1, 9, 45), term: "口红", channel: "own_site", medium: null, properties: """{"results":0}""");
            Event("c2", null, "product_view", At(6, 1, 10, 20), channel: "own_site", medium: null);
            Event(null, "x1", "search", At(6, 2, 15, 5), term: "口红", channel: "own_site", medium: null, properties: """{"results": 0, "page": 1}""");
            Event("c3", null, "search", At(5, 31, 10), term: "防晒", channel: "own_site", medium: null);

            // Paid search touches.
            Event("c11", null, "page_view", At(6, 2, 8), term: "防晒", channel: "baidu", medium: "cpc");
            Order("O11", "c11", At(6, 2, 9), 15_000);                  // -> paid 防晒
            Event("c12", null, "page_view", At(6, 1, 8), term: "口红", channel: "baidu", medium: "cpc");
            Event("c12", null, "page_view", At(6, 1, 8, 30), channel: "tmall", medium: "cpc");
            Order("O12", "c12", At(6, 1, 9), 15_000);                  // last touch tmall: not the keyword's
            Event("c13", null, "page_view", At(6, 1, 8), term: "口红", channel: "baidu", medium: "organic");
            Order("O13", "c13", At(6, 1, 9), 15_000);                  // organic: not the paid keyword's

            s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 1), Channel = "baidu", Campaign = "sem", AdGroup = "防晒", Impressions = 500, Clicks = 10, Cost = 3_000 });
            s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 2), Channel = "baidu", Campaign = "sem", AdGroup = "防晒", Impressions = 300, Clicks = 5, Cost = 2_000 });
            s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 1), Channel = "baidu", Campaign = "sem", AdGroup = "口红", Impressions = 200, Clicks = 4, Cost = 1_000 });
            s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 3), Channel = "baidu", Campaign = "sem", AdGroup = "口红", Impressions = 200, Clicks = 4, Cost = 9_999 }); // after the period
            s.UpsertSpend(new SpendRow { Date = new DateOnly(2026, 6, 1), Channel = "tmall", Campaign = "sem", Cost = 7_000 }); // no ad group
            await s.CommitAsync(0, 0, CancellationToken.None);
        }
        var imported = await new ImportContentHandler(store, new TestClock()).HandleAsync(Ledger.Replace("        ", "", StringComparison.Ordinal), CancellationToken.None);
        Assert.True(imported.IsSuccess, imported.Error?.ToString());
        return store;
    }
}
