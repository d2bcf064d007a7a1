using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Storage;
using Flywheel.Primitives;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Storage;

public sealed class LinkStoreTests
{
    internal static LinkRow Link(string code, string kind = LinkKinds.Link, long at = 1_000) =>
        new(code, kind, "name " + code, "https://tmall.com/x", "https://tmall.com/x?utm_source=s", new Utm("xiaohongshu", "s", "social", "c", "p1", null),
            "kol-1", null, at);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Insert_Get_List_AndADuplicateCodeIsAConflictThatWritesNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var links = new LinkStore(store);
        Assert.True((await links.InsertAsync(Link("abcd1234", at: 1_000), default)).IsSuccess);
        Assert.True((await links.InsertAsync(Link("card0001", LinkKinds.PackageCard, at: 2_000), default)).IsSuccess);
        var duplicate = await links.InsertAsync(Link("abcd1234") with { Destination = "https://jd.com/" }, default);
        Assert.Equal(ErrorKind.Conflict, duplicate.Error!.Kind);
        Assert.Equal(2, await TestStores.CountAsync(store, "grow_links"));

        Assert.Equal(Link("abcd1234", at: 1_000), await links.GetAsync("abcd1234", default));
        Assert.Null(await links.GetAsync("ABCD1234", default)); // codes are case-sensitive
        Assert.Equal(["card0001", "abcd1234"], (await links.ListAsync(null, 10, default)).Select(l => l.Code));
        Assert.Equal(["card0001"], (await links.ListAsync(LinkKinds.PackageCard, 10, default)).Select(l => l.Code));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Clicks_AreCountedPerLinkAndBrowser(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var links = new LinkStore(store);
        await links.InsertAsync(Link("abcd1234"), default);
        await links.InsertAsync(Link("card0001", LinkKinds.PackageCard), default);
        await links.InsertClicksAsync(
        [
            new("k1", "abcd1234", 10, "aaaaaaaa1", null, "https://xhs.com", "UA"),
            new("k2", "abcd1234", 20, "aaaaaaaa1", null, null, null),
            new("k3", "abcd1234", 5, "aaaaaaaa2", "c9", null, null),
            new("k4", "card0001", 7, "aaaaaaaa1", null, null, null),
        ], default);
        var counts = await links.ClickCountsAsync(default);
        Assert.Equal((3L, 2L), counts["abcd1234"]);
        Assert.Equal((1L, 1L), counts["card0001"]);
        var scanners = (await links.ScannersAsync("abcd1234", null, default)).OrderBy(s => s.AnonymousId).ToList();
        Assert.Equal([new ScannerRow("abcd1234", "aaaaaaaa1", 2, 10, null), new ScannerRow("abcd1234", "aaaaaaaa2", 1, 5, "c9")], scanners);
        Assert.Equal([("card0001", "aaaaaaaa1", 7L)], await links.PackageCardScansAsync(["aaaaaaaa1", "zzz"], default));
        Assert.Single(await links.PackageCardScansAsync(null, default));
    }
}
