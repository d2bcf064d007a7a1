using System.Globalization;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Features.PackageCards;
using Flywheel.Grow.Storage;
using Flywheel.Ingestion.Contracts;
using Flywheel.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flywheel.Grow.Demo;

/// <summary>
/// The demo's tracking links and package card, drawn from the generated record. The allow-list is kept in the store (setting
/// grow.link_hosts): it travels with the data, so <c>flywheel serve</c> on the demo store accepts links to its marketplaces
/// without any configuration, and an admin edits it over the API without a restart. Links: one per big campaign of each year
/// the record covers (双11 on Tmall, 618 on JD, always-on on the brand site). The package card (包裹卡) goes into every first
/// order's parcel: about 60% of first-time buyers scan it three days after paying (the parcel's arrival), about 45% of the
/// scanners add the brand's 企业微信 (identified: their anonymous id linked to them within the hour), and their repurchases are
/// their real later orders in the record, so the funnel agrees with the orders. Fixed seed: the same record gives the same demo.
/// </summary>
internal static class DemoLinks
{
    public const string CardCode = "pcard001";
    public static readonly string[] Hosts = ["tmall.com", "taobao.com", "jd.com", "yangkeduo.com", "douyin.com", "work.weixin.qq.com", "flywheel-demo.cn"];

    private const long Day = 86_400_000;

    public static async Task<(int Links, int Scans)> AddAsync(FlywheelStore store, CancellationToken ct)
    {
        var links = new LinkStore(store);
        await links.SetStoredHostsAsync(Hosts, ct);
        var firstPaid = await OrderFacts.FirstPaidAsync(store, ct);
        if (firstPaid.Count == 0) return (0, 0);
        var firstDay = firstPaid.Values.Min();
        var lastDay = firstPaid.Values.Max();
        var created = firstDay.ToUnixTimeMilliseconds();
        var made = 0;
        for (var year = firstDay.Year; year <= lastDay.Year; year++)
        {
            var y = year.ToString(CultureInfo.InvariantCulture);
            made += await AddLinkAsync(links, $"d11-{y}", LinkKinds.Link, $"双11 {y} 天猫旗舰店", "https://detail.tmall.com/item.htm?id=6012345",
                new Utm("tmall", "brand", "cpc", "double11_" + y, null, null), created, ct);
            made += await AddLinkAsync(links, $"618-{y}", LinkKinds.Link, $"618 {y} 京东自营", "https://item.jd.com/100012345.html",
                new Utm("jd", "brand", "cpc", "618_" + y, null, null), created, ct);
        }
        made += await AddLinkAsync(links, "brandweb", LinkKinds.Link, "品牌官网 常态", "https://www.flywheel-demo.cn/new",
            new Utm("own_site", "brand", "referral", "always_on", null, null), created, ct);
        var card = new LinkRow(CardCode, LinkKinds.PackageCard, "包裹卡·首单 (first-order parcel insert)", "https://work.weixin.qq.com/ca/cawcdemo01",
            LinkRules.WithUtm(new Uri("https://work.weixin.qq.com/ca/cawcdemo01"), new Utm("wecom", "package_insert", "package_card", "first_order_card", null, null)),
            new Utm("wecom", "package_insert", "package_card", "first_order_card", null, null), null, null, created);
        if ((await links.InsertAsync(card, ct)).IsSuccess) made++;

        // Scans three days after the first payment, for first orders whose parcel arrived before the record ends.
        var random = new Random(15);
        var end = lastDay.ToUnixTimeMilliseconds();
        var clicks = new List<ClickRow>();
        var identify = new List<(string Anonymous, string Customer, long At)>();
        foreach (var (customer, paid) in firstPaid.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var scanAt = paid.ToUnixTimeMilliseconds() + 3 * Day + random.NextInt64(12 * 3_600_000);
            if (scanAt > end || random.NextDouble() >= 0.6) continue;
            var anonymous = "dpc" + clicks.Count.ToString("D8", CultureInfo.InvariantCulture);
            var scans = random.NextDouble() < 0.15 ? 2 : 1;
            for (var s = 0; s < scans; s++)
                clicks.Add(new ClickRow($"demo{clicks.Count:D7}", CardCode, scanAt + s * 600_000, anonymous, null, null,
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"));
            if (random.NextDouble() < 0.45) identify.Add((anonymous, customer, scanAt + random.NextInt64(3_600_000)));
        }
        foreach (var chunk in clicks.Chunk(ClickRecorder.MaxBatch)) await links.InsertClicksAsync(chunk, ct);
        await ClickRecorder.ForwardAsync(links, "demo", ct); // the demo's own ingests: a later demo may replace them
        await using (var session = await IngestSession.BeginAsync(store, "demo", "package_card_identities", ct))
        {
            foreach (var (anonymous, customer, at) in identify) session.Identify(anonymous, customer, at, null);
            await session.CommitAsync(identify.Count, 0, ct);
        }
        await new IdentifiedScans(links, NullLogger<IdentifiedScans>.Instance).ProcessAsync(null, "demo", ct);
        return (made, clicks.Count);
    }

    private static async Task<int> AddLinkAsync(LinkStore links, string code, string kind, string name, string url, Utm utm, long at, CancellationToken ct) =>
        (await links.InsertAsync(new LinkRow(code, kind, name, url, LinkRules.WithUtm(new Uri(url), utm), utm, null, null, at), ct)).IsSuccess ? 1 : 0;
}
