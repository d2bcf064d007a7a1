using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flywheel.Analytics.Tests.Index;

/// <summary>A host builds the event index as it starts, so the first report after a start does not wait for the build.</summary>
public sealed class IndexWarmerTests
{
    private static async Task<FlywheelStore> StoreWithEventsAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        var at = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        await using var session = await IngestSession.BeginAsync(store, "test", "t", CancellationToken.None);
        for (var i = 0; i < 3; i++)
            session.WriteEvent(new EventRow { EventId = "e" + i, Type = "page_view", Time = at + i, CustomerId = "c" + i });
        await session.CommitAsync(3, 0, CancellationToken.None);
        return store;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Start_BuildsTheIndex_BeforeAnyReportAsksForIt(string engine)
    {
        using var store = await StoreWithEventsAsync(engine);
        var host = new EventIndexHost(store);
        using var warmer = new IndexWarmer(host, new AnalyticsOptions(), NullLogger<IndexWarmer>.Instance);
        await warmer.StartAsync(CancellationToken.None);
        await warmer.ExecuteTask!;
        Assert.Equal(3, host.Current?.EventCount);
        Assert.Equal("full", host.LastRefresh?.Kind);
        // The first report gets that index without another build.
        Assert.Same(host.Current, await host.GetAsync(allowStale: false, CancellationToken.None));
        await warmer.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Start_WithBuildIndexAtStartOff_LeavesTheBuildToTheFirstReport(string engine)
    {
        using var store = await StoreWithEventsAsync(engine);
        var host = new EventIndexHost(store);
        using var warmer = new IndexWarmer(host, new AnalyticsOptions { BuildIndexAtStart = false }, NullLogger<IndexWarmer>.Instance);
        await warmer.StartAsync(CancellationToken.None);
        await warmer.ExecuteTask!;
        Assert.Null(host.Current);
        Assert.Equal(3, (await host.GetAsync(allowStale: false, CancellationToken.None)).EventCount);
        await warmer.StopAsync(CancellationToken.None);
    }
}
