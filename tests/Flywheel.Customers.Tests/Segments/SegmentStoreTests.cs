using Flywheel.Customers.Segments;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Segments;

public sealed class SegmentStoreTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task CreateReplaceApplyDelete_RoundTrip(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        Assert.Empty(await SegmentStore.ListAsync(store, Ct));

        Assert.True(await SegmentStore.CreateAsync(store, "vip", "高价值", "gmv(1y) >= 5000", new HashSet<string> { "u3", "u1", "u2" }, Ct));
        Assert.False(await SegmentStore.CreateAsync(store, "vip", "again", "orders >= 1", new HashSet<string> { "u9" }, Ct));
        var vip = Assert.Single(await SegmentStore.ListAsync(store, Ct));
        Assert.Equal(("vip", "高价值", "gmv(1y) >= 5000", 3L), (vip.Name, vip.Title, vip.Rule, vip.MemberCount));
        Assert.Equal(clock.Now, vip.CreatedAt);
        Assert.Equal(clock.Now, vip.RefreshedAt);
        Assert.Equal(["u1", "u2", "u3"], await SegmentStore.MembersAsync(store, "vip", 10, null, Ct));
        Assert.Equal(["u2"], await SegmentStore.MembersAsync(store, "vip", 1, "u1", Ct));
        Assert.Empty(await SegmentStore.ChangesAsync(store, null, 0, 100, Ct)); // first members did not "enter"

        clock.Advance(TimeSpan.FromMinutes(5));
        var delta = await SegmentStore.ReplaceAsync(store, "vip", null, "gmv(1y) >= 8000", new HashSet<string> { "u2", "u4" }, Ct);
        Assert.NotNull(delta);
        Assert.Equal(["u4"], delta.Entered);
        Assert.Equal(["u1", "u3"], delta.Exited.Order(StringComparer.Ordinal));
        vip = (await SegmentStore.GetAsync(store, "vip", Ct))!;
        Assert.Equal((null, "gmv(1y) >= 8000", 2L), (vip.Title, vip.Rule, vip.MemberCount));
        Assert.Equal(clock.Now, vip.UpdatedAt);
        Assert.Equal(new TestClock().Now, vip.CreatedAt);
        Assert.Null(await SegmentStore.ReplaceAsync(store, "nobody", null, "orders >= 1", new HashSet<string>(), Ct));

        clock.Advance(TimeSpan.FromMinutes(5));
        await SegmentStore.ApplyAsync(store, [new SegmentDelta("vip", ["u5"], ["u2"]), new SegmentDelta("deleted-meanwhile", ["u1"], [])], Ct);
        vip = (await SegmentStore.GetAsync(store, "vip", Ct))!;
        Assert.Equal(2L, vip.MemberCount);
        Assert.Equal(clock.Now, vip.RefreshedAt);
        var members = new List<(string, DateTimeOffset)>();
        await foreach (var member in SegmentStore.AllMembersAsync(store, "vip", Ct)) members.Add(member);
        Assert.Equal([("u4", new TestClock().Now.AddMinutes(5)), ("u5", clock.Now)], members);

        var changes = await SegmentStore.ChangesAsync(store, "vip", 0, 100, Ct);
        Assert.Equal(["+u4", "-u1", "-u3", "+u5", "-u2"], changes.Select(c => (c.Entered ? "+" : "-") + c.CustomerId));
        Assert.Equal(["+u5", "-u2"], (await SegmentStore.ChangesAsync(store, null, changes[2].Id, 100, Ct)).Select(c => (c.Entered ? "+" : "-") + c.CustomerId));
        Assert.Equal(clock.Now, changes[^1].At);
        Assert.Equal(0, await TestStores.CountAsync(store, "segment_members", "segment_name = 'deleted-meanwhile'"));

        Assert.True(await SegmentStore.DeleteAsync(store, "vip", Ct));
        Assert.False(await SegmentStore.DeleteAsync(store, "vip", Ct));
        Assert.Null(await SegmentStore.GetAsync(store, "vip", Ct));
        Assert.Equal(0, await TestStores.CountAsync(store, "segment_members"));
        Assert.Equal(0, await TestStores.CountAsync(store, "segment_membership_changes"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task LargeMembership_IsWrittenInChunks_AndPagedInIdOrder(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var ids = Enumerable.Range(0, 25_000).Select(i => "c" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.True(await SegmentStore.CreateAsync(store, "all", null, "orders >= 0", ids, Ct));
        Assert.Equal(25_000, await TestStores.CountAsync(store, "segment_members"));
        var page = await SegmentStore.MembersAsync(store, "all", 3, "c012344", Ct);
        Assert.Equal(["c012345", "c012346", "c012347"], page);

        var delta = await SegmentStore.ReplaceAsync(store, "all", null, "orders >= 1", ids.Where(id => id.EndsWith('0')).ToHashSet(), Ct);
        Assert.Equal(22_500, delta!.Exited.Count);
        Assert.Equal(2_500, await TestStores.CountAsync(store, "segment_members"));
        Assert.Equal(22_500, await TestStores.CountAsync(store, "segment_membership_changes", "change = 'exited'"));
    }
}
