using Flywheel.Grow.Domain;
using Flywheel.Grow.Features.Stages;
using Flywheel.Grow.Storage;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Storage;

/// <summary>grow_channel_stages through the handler both surfaces call, on both engines.</summary>
public sealed class ChannelStageStoreTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SetListReset_OverTheDefaults(string engine)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        using var store = await TestStores.OpenAsync(engine, clock);
        var handler = new ChannelStagesHandler(store);

        var before = await handler.ListAsync(CancellationToken.None);
        Assert.All(before, row => Assert.Equal("default", row.Source));
        Assert.Equal("repurchase", before.Single(r => r.Channel == "email").Stage);

        var set = await handler.SetAsync("email", LifecycleStage.Loyalty, "channel", "stage", CancellationToken.None);
        Assert.Equal(("loyalty", "repurchase", "set"), (set.Value.Stage, set.Value.DefaultStage, set.Value.Source));
        // Setting again replaces; a channel without a default gets a row of its own.
        await handler.SetAsync("email", LifecycleStage.Decision, "channel", "stage", CancellationToken.None);
        await handler.SetAsync("kuaishou", LifecycleStage.Awareness, "channel", "stage", CancellationToken.None);
        Assert.Equal(2, await TestStores.CountAsync(store, "grow_channel_stages"));

        var after = await handler.ListAsync(CancellationToken.None);
        Assert.Equal(("decision", "set"), (after.Single(r => r.Channel == "email").Stage, after.Single(r => r.Channel == "email").Source));
        Assert.Equal(clock.GetUtcNow(), after.Single(r => r.Channel == "kuaishou").UpdatedAt);
        var map = await handler.MapAsync(CancellationToken.None);
        Assert.Equal(("decision", "awareness", "repurchase"), (map.Of("email"), map.Of("kuaishou"), map.Of("sms")));

        var reset = await handler.ResetAsync("email", "channel", CancellationToken.None);
        Assert.Equal(("repurchase", "default"), (reset.Value.Stage, reset.Value.Source));
        Assert.Equal(Flywheel.Primitives.ErrorKind.NotFound, (await handler.ResetAsync("email", "channel", CancellationToken.None)).Error?.Kind);
        Assert.Equal(1, await TestStores.CountAsync(store, "grow_channel_stages"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Set_BadStageOrChannel_StoresNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var handler = new ChannelStagesHandler(store);
        var unknown = await handler.SetAsync("douyin", "growth", "channel", "stage", CancellationToken.None);
        Assert.Equal("stage", unknown.Error?.Path);
        var blank = await handler.SetAsync("", "loyalty", "channel", "stage", CancellationToken.None);
        Assert.Equal("channel", blank.Error?.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_channel_stages"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Table_RefusesAStageOutsideTheFive(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => ChannelStageStore.SetAsync(store, "douyin", "growth", CancellationToken.None));
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_channel_stages"));
    }
}
