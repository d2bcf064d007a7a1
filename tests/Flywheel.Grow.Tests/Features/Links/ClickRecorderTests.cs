using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Features.PackageCards;
using Flywheel.Grow.Storage;
using Flywheel.Grow.Tests.Storage;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flywheel.Grow.Tests.Features.Links;

public sealed class ClickRecorderTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ParallelRedirects_RecordExactlyOneClickAndOneEventEach(string engine)
    {
        const int n = 300;
        using var store = await TestStores.OpenAsync(engine);
        var links = new LinkStore(store);
        var link = LinkStoreTests.Link("abcd1234");
        await links.InsertAsync(link, default);
        using var recorder = new ClickRecorder(links, NullLogger<ClickRecorder>.Instance);
        await recorder.StartAsync(default);
        await Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(() =>
            recorder.RecordAsync(new ClickRow($"click{i:D4}", link.Code, 1_000 + i, $"anon{i % 50:D5}", null, null, "UA"), default))));
        // Every redirect returned: its click is stored. The events follow in bulk; a pass now forwards whatever is left.
        Assert.Equal(n, await TestStores.CountAsync(store, "grow_link_clicks"));
        await recorder.ForwardAsync(default);
        await recorder.StopAsync(default);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_link_clicks", "forwarded = 0"));
        Assert.Equal(n, await TestStores.CountAsync(store, "events", "type = 'click' AND event_id LIKE 'lnk-click%'"));
        Assert.Equal(n, await TestStores.CountAsync(store, "events",
            "channel = 'xiaohongshu' AND medium = 'social' AND campaign = 'c' AND content = 'p1' AND kol_id = 'kol-1' AND anonymous_id LIKE 'anon%'"));
        Assert.Equal(50L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT COUNT(DISTINCT anonymous_id) FROM grow_link_clicks")));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AnIdentifiedPackageCardScanner_GetsOneIdentificationEvent_AndLaterClicksAreTheirs(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var links = new LinkStore(store);
        var card = LinkStoreTests.Link("card0001", LinkKinds.PackageCard);
        await links.InsertAsync(card, default);
        await links.InsertClicksAsync([new ClickRow("k1", card.Code, 1_000, "anonymous1", null, null, null)], default);
        Assert.Equal(1, await ClickRecorder.ForwardAsync(links, default));
        Assert.Equal(0, await ClickRecorder.ForwardAsync(links, default));
        var scans = new IdentifiedScans(links, NullLogger<IdentifiedScans>.Instance);
        Assert.Equal(0, await scans.ProcessAsync(null, default)); // not identified yet

        await using (var session = await IngestSession.BeginAsync(store, "test", "identify", default))
        {
            Assert.True(session.Identify("anonymous1", "c-42", 5_000, null).IsSuccess);
            await session.CommitAsync(1, 0, default);
        }
        Assert.Equal(1, await scans.ProcessAsync(["anonymous1"], default));
        Assert.Equal(0, await scans.ProcessAsync(null, default)); // written once
        Assert.Equal(1, await TestStores.CountAsync(store, "events",
            $"type = '{IdentifiedScans.EventType}' AND customer_id = 'c-42' AND medium = 'social' AND time = 5000"));

        await links.InsertClicksAsync([new ClickRow("k2", card.Code, 9_000, "anonymous1", null, null, null)], default);
        await ClickRecorder.ForwardAsync(links, default);
        Assert.Equal("c-42", await TestStores.ScalarAsync(store, "SELECT customer_id FROM grow_link_clicks WHERE click_id = 'k2'"));
        Assert.Equal("c-42", await TestStores.ScalarAsync(store, "SELECT customer_id FROM events WHERE event_id = 'lnk-k2'"));
    }
}
