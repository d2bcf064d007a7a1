using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Audiences;
using Flywheel.Analytics.Funnels;
using Flywheel.Analytics.Index;
using Flywheel.Ingestion.Parsing;
using Flywheel.Storage;
using Flywheel.Analytics.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Audiences;

/// <summary>Drop-off audiences cut from a funnel over a real store (CSV import, index, save, refresh), on both engines.</summary>
public sealed class FunnelAudienceTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _folder = Directory.CreateTempSubdirectory("flywheel-audience-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly IReadOnlyList<FunnelStep> Steps = FunnelStep.ParseList("product_view,add_to_cart,order_paid").Value;

    private static (FunnelQuery Query, FunnelAudienceDefinition Definition) Funnel(EventIndex index, int droppedAfter = 2)
    {
        var definition = new FunnelAudienceDefinition(Steps, 7 * 86400, FunnelMode.Default, new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), droppedAfter);
        return (definition.ToQuery(index).Value, definition);
    }

    private static async Task<List<string>> MembersAsync(FlywheelStore store, string name)
    {
        var all = new List<string>();
        await foreach (var member in AudienceStore.AllMembersAsync(store, AudienceName.Parse(name).Value, null, Ct)) all.Add(member);
        return all;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveThenRefresh_FollowsTheStore(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await CsvFixtures.ImportAsync(store, _folder, ImportKind.Events, """
            event_id,customer_id,anonymous_id,type,time
            e1,u1,,product_view,2026-05-01T09:00:00+08:00
            e2,u1,,add_to_cart,2026-05-01T09:05:00+08:00
            e3,u2,,product_view,2026-05-02T09:00:00+08:00
            e4,u2,,add_to_cart,2026-05-02T09:01:00+08:00
            e5,u2,,order_paid,2026-05-02T09:10:00+08:00
            e6,,a1,product_view,2026-05-03T09:00:00+08:00
            e7,,a1,add_to_cart,2026-05-03T09:02:00+08:00
            e8,u3,,product_view,2026-05-04T09:00:00+08:00
            e9,u5,,product_view,2026-04-20T09:00:00+08:00
            e10,u5,,add_to_cart,2026-04-20T09:01:00+08:00
            """ + "\n");
        var index = await EventIndexBuilder.BuildAsync(store, null, Ct);
        var (query, definition) = Funnel(index);
        var result = FunnelEngine.Run(index, query).Value;

        var request = new FunnelAudienceRequest("abandoned_cart", 2, "加购未付款");
        var saved = (await FunnelAudience.SaveAsync(store, result, definition, request, Ct)).Value;
        // u5 carted in April, before the first step's range; a1 is anonymous.
        Assert.Equal(("abandoned_cart", "加购未付款", FunnelAudience.Kind, 1L, 1L), (saved.Audience.Name, saved.Audience.Title, saved.Audience.Kind, saved.Audience.MemberCount, saved.Audience.AnonymousCount));
        Assert.Equal(["u1"], await MembersAsync(store, "abandoned_cart"));
        Assert.Equal(["u1"], saved.DropOff.CustomerIds);

        var stored = AudienceJson.ReadFunnelDefinition(saved.Audience.Definition).Value;
        Assert.Equal(["product_view", "add_to_cart", "order_paid"], stored.Steps.Select(s => s.Label));
        Assert.Equal((7 * 86400, FunnelMode.Default, new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), 2),
            (stored.WindowSeconds, stored.Mode, stored.From, stored.To, stored.DroppedAfter));

        // u1 pays within the window, u3 carts, and a1 turns out to be u4: the refresh sees all three.
        clock.Advance(TimeSpan.FromDays(1));
        await CsvFixtures.ImportAsync(store, _folder, ImportKind.Events, """
            event_id,customer_id,anonymous_id,type,time
            e11,u1,,order_paid,2026-05-02T09:00:00+08:00
            e12,u3,,add_to_cart,2026-05-04T10:00:00+08:00
            e13,u4,a1,identify,2026-05-05T09:00:00+08:00
            """ + "\n");
        var refreshed = (await FunnelAudience.RefreshAsync(store, await EventIndexBuilder.BuildAsync(store, null, Ct), AudienceName.Parse("abandoned_cart").Value, Ct)).Value;
        Assert.Equal(["u3", "u4"], await MembersAsync(store, "abandoned_cart"));
        Assert.Equal((2L, 0L, "加购未付款"), (refreshed.Audience.MemberCount, refreshed.Audience.AnonymousCount, refreshed.Audience.Title));
        Assert.Equal(saved.Audience.CreatedAt, refreshed.Audience.CreatedAt);
        Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), refreshed.Audience.RefreshedAt.ToUnixTimeMilliseconds());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_BadRequestOrCreateOnlyConflict_WritesNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await CsvFixtures.ImportAsync(store, _folder, ImportKind.Events, """
            event_id,customer_id,type,time
            e1,u1,product_view,2026-05-01T09:00:00+08:00
            e2,u1,add_to_cart,2026-05-01T09:05:00+08:00
            e3,u2,product_view,2026-05-01T09:00:00+08:00
            """ + "\n");
        var index = await EventIndexBuilder.BuildAsync(store, null, Ct);
        var (query, definition) = Funnel(index);
        var result = FunnelEngine.Run(index, query).Value;

        foreach (var (request, path) in new[]
        {
            (new FunnelAudienceRequest("Abandoned Cart", 2), "name"),
            (new FunnelAudienceRequest(null, 2), "name"),
            (new FunnelAudienceRequest("abandoned_cart", 3), "dropped_after"),
            (new FunnelAudienceRequest("abandoned_cart", 0), "dropped_after"),
            (new FunnelAudienceRequest("abandoned_cart", 2, new string('x', 201)), "title"),
        })
        {
            var refused = await FunnelAudience.SaveAsync(store, result, definition with { DroppedAfter = request.DroppedAfter }, request, Ct);
            Assert.Equal(("invalid", path), (refused.Error?.Code, refused.Error?.Path));
        }
        Assert.Equal(0, await TestStores.CountAsync(store, "audiences"));

        Assert.True((await FunnelAudience.SaveAsync(store, result, definition, new FunnelAudienceRequest("abandoned_cart", 2, CreateOnly: true), Ct)).IsSuccess);
        var (_, afterView) = Funnel(index, droppedAfter: 1);
        var conflict = await FunnelAudience.SaveAsync(store, result, afterView, new FunnelAudienceRequest("abandoned_cart", 1, CreateOnly: true), Ct);
        Assert.Equal(("conflict", "name"), (conflict.Error?.Code, conflict.Error?.Path));
        Assert.Equal(["u1"], await MembersAsync(store, "abandoned_cart"));

        Assert.Equal("not_found", (await FunnelAudience.RefreshAsync(store, index, AudienceName.Parse("nobody").Value, Ct)).Error?.Code);
    }
}
