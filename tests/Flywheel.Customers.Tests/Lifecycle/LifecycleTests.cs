using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Lifecycle;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Customers.Storage;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Lifecycle;

public class LifecycleTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    private static long Noon(DateOnly day) => new DateTimeOffset(day.Year, day.Month, day.Day, 12, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    /// <summary>Monthly buyers (30-day rhythm) whose last order was <paramref name="daysAgo"/> days before the as-of day.</summary>
    private static IEnumerable<(string, DateOnly)> Monthly(string id, int daysAgo) =>
        Enumerable.Range(0, 4).Select(k => (id, AsOf.AddDays(-daysAgo - 30 * k)));

    private static EventIndex Index(IEnumerable<(string Customer, DateOnly Day)> orders, params string[] prospects)
    {
        var list = orders.ToList();
        var b = new EventIndexBuilder.Builder();
        foreach (var c in list.Select(o => o.Customer).Concat(prospects).Distinct().Order(StringComparer.Ordinal)) b.AddCustomer(c, null);
        foreach (var (c, day) in list) b.AddOrder(c, Noon(day), null, null, 10_000, 0, 1, null);
        return b.Build("Asia/Shanghai");
    }

    [Fact]
    public void Run_StagesFollowEachCustomersOwnRhythm()
    {
        var orders = Monthly("active", 10).Concat(Monthly("at_risk", 50)).Concat(Monthly("lapsed", 120)).Concat(Monthly("churned", 200))
            .Append(("new", AsOf.AddDays(-1)))
            // Weekly buyer silent for 15 days: at risk by their own rhythm, though a monthly buyer would be active.
            .Concat(Enumerable.Range(0, 5).Select(k => ("weekly", AsOf.AddDays(-15 - 7 * k))))
            // Bought monthly in early 2025, vanished for a year, bought again last week.
            .Concat([("back", new DateOnly(2025, 1, 1)), ("back", new DateOnly(2025, 1, 31)), ("back", new DateOnly(2025, 3, 2)), ("back", AsOf.AddDays(-7))])
            // A July order is after the as-of day and does not count.
            .Append(("future", AsOf.AddDays(1)));
        var states = LifecycleEngine.Run(Index(orders, "prospect"), AsOf).ToDictionary(s => s.CustomerId);
        Assert.Equal(LifecycleStages.Prospect, states["prospect"].Stage);
        Assert.Equal(LifecycleStages.Prospect, states["future"].Stage);
        Assert.Equal(LifecycleStages.New, states["new"].Stage);
        Assert.Equal(LifecycleStages.Active, states["active"].Stage);
        Assert.Equal(LifecycleStages.AtRisk, states["at_risk"].Stage);
        Assert.Equal(LifecycleStages.Lapsed, states["lapsed"].Stage);
        Assert.Equal(LifecycleStages.Churned, states["churned"].Stage);
        Assert.Equal(LifecycleStages.AtRisk, states["weekly"].Stage);
        Assert.Equal(LifecycleStages.Reactivated, states["back"].Stage);
        Assert.Equal((30.0, 10), (states["active"].RhythmDays, states["active"].DaysSinceLastOrder));
    }

    [Fact]
    public void Run_PAlive_MarksTheLongSilentChurnedAndTheUnlikelyAtRisk()
    {
        var index = Index(Monthly("a", 100).Concat(Monthly("b", 10)));
        var a = index.FindVisitor("a");
        var states = LifecycleEngine.Run(index, AsOf, v => v == a ? 0.01 : 0.2).ToDictionary(s => s.CustomerId);
        Assert.Equal(LifecycleStages.Churned, states["a"].Stage); // lapsed by rhythm, P(alive) 1%
        Assert.Equal(LifecycleStages.AtRisk, states["b"].Stage); // active by rhythm, P(alive) 20%
    }

    [Fact]
    public void Run_IsTheReferenceEngine_OnRandomIndexes()
    {
        // More customers than one parallel chunk; bursts of orders (several a day), long silences, customers with orders
        // only after the as-of day, prospects and anonymous visitors; orders near local midnight.
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            var b = new EventIndexBuilder.Builder();
            var ids = Enumerable.Range(0, 40_000).Select(i => "c" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            foreach (var id in ids) b.AddCustomer(id, null);
            for (var i = 0; i < 500; i++) b.AddEvent(null, "a" + i, "page_view", Noon(AsOf), null, null, null, null, null, null, 0);
            var start = Noon(AsOf.AddDays(-400));
            foreach (var id in ids.Skip(200))
            {
                var t = start + random.NextInt64(450L * 86_400_000);
                var gap = random.Next(3) switch { 0 => 86_400_000L, 1 => 7 * 86_400_000L, _ => 45 * 86_400_000L };
                for (var n = random.Next(1, 12); n > 0; n--)
                {
                    b.AddOrder(id, t, null, null, 10_000, 0, 1, null);
                    t += random.Next(4) == 0 ? random.NextInt64(3_600_000) : random.NextInt64(gap * 2) + (random.Next(10) == 0 ? 200 * 86_400_000L : 0);
                }
            }
            var index = b.Build("Asia/Shanghai");
            Func<int, double?> alive = v => v % 7 == 0 ? null : (v * 7919 % 1000) / 1000.0;
            foreach (var day in new[] { AsOf.AddDays(-300), AsOf, AsOf.AddDays(90) })
            {
                Assert.Equal(LifecycleReference.Run(index, day), LifecycleEngine.Run(index, day));
                Assert.Equal(LifecycleReference.Run(index, day, alive), LifecycleEngine.Run(index, day, alive));
            }
            Assert.Equal(LifecycleStages.All.Order(), LifecycleEngine.Run(index, AsOf, alive).Select(s => s.Stage).Distinct().Order()); // every stage occurs
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Refresh_RecordsOnlyChanges_AndRaisesThem(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "t", CancellationToken.None))
        {
            session.UpsertCustomer(new CustomerRow { CustomerId = "p1" });
            var order = new OrderRow { OrderId = "o1", CustomerId = "c1", Status = "paid", PlacedAt = Noon(AsOf), PaidAt = Noon(AsOf) };
            order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = 100 });
            Assert.True(session.WriteOrder(order, createMissingProducts: true).IsSuccess);
            await session.CommitAsync(2, 0, CancellationToken.None);
        }
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        using var service = new LifecycleService(store);
        var raised = new List<StageTransition>();
        service.StageChanged += raised.AddRange;

        var first = await service.RefreshAsync(index, AsOf, record: true, null, CancellationToken.None);
        Assert.Equal([("c1", (string?)null, "new"), ("p1", null, "prospect")], first.Transitions.Select(t => (t.CustomerId, t.From, t.To)).Order());
        Assert.Equal(2, raised.Count);
        Assert.Empty((await service.RefreshAsync(index, AsOf, record: true, null, CancellationToken.None)).Transitions);

        // 100 days later the one-order customer has gone quiet; a dry run shows it without recording.
        var dry = await service.RefreshAsync(index, AsOf.AddDays(100), record: false, null, CancellationToken.None);
        Assert.Equal([("c1", "new", LifecycleStages.Lapsed)], dry.Transitions.Select(t => (t.CustomerId, t.From, t.To)));
        var later = await service.RefreshAsync(index, AsOf.AddDays(100), record: true, null, CancellationToken.None);
        Assert.Single(later.Transitions);
        var stored = await LifecycleStore.TransitionsAsync(store, 0, 100, CancellationToken.None);
        Assert.Equal(3, stored.Count);
        Assert.Equal(("c1", "new", "lapsed"), (stored[^1].CustomerId, stored[^1].From, stored[^1].To));
        Assert.Empty(await LifecycleStore.TransitionsAsync(store, stored[^1].Id, 100, CancellationToken.None));
        Assert.Equal("lapsed", (await LifecycleStore.CurrentAsync(store, CancellationToken.None))["c1"]);
    }

    /// <summary>What a caller sees of a refresh: the stage counts and the transitions, customer, from and to.</summary>
    private static (string Stages, string Transitions) Seen(LifecycleRefresh refresh) =>
        (string.Join(",", LifecycleStages.All.Select(s => s + "=" + refresh.Stages[s])),
            string.Join(",", refresh.Transitions.Select(t => $"{t.CustomerId}:{t.From ?? "-"}>{t.To}")) + "#" + refresh.Transitions.Count);

    private static async Task<(string, string)> FreshAsync(FlywheelStore store, EventIndex index, DateOnly day)
    {
        using var fresh = new LifecycleService(store);
        return Seen(await fresh.RefreshAsync(index, day, record: false, null, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Refresh_KeptStages_AnswerAsAFreshService_AfterItsOwnAndAnotherServicesRecording(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var index = Index(Monthly("a", 10).Concat(Monthly("b", 50)).Concat(Monthly("c", 120)).Append(("n", AsOf.AddDays(-1))), "p");
        var (later, latest) = (AsOf.AddDays(60), AsOf.AddDays(150));
        using var service = new LifecycleService(store);
        using var other = new LifecycleService(store); // another process, as far as the kept stages know

        // Nothing stored, then nothing changed: the kept (empty) stages give every customer's first transition both times.
        var first = Seen(await service.RefreshAsync(index, AsOf, record: false, null, CancellationToken.None));
        Assert.EndsWith("#5", first.Item2, StringComparison.Ordinal);
        Assert.Equal(first, Seen(await service.RefreshAsync(index, AsOf, record: false, null, CancellationToken.None)));
        Assert.Equal(await FreshAsync(store, index, AsOf), first);

        // This service records: its kept stages take the changes in place.
        Assert.Equal(5, (await service.RefreshAsync(index, AsOf, record: true, null, CancellationToken.None)).Transitions.Count);
        Assert.Equal(await FreshAsync(store, index, AsOf), Seen(await service.RefreshAsync(index, AsOf, record: false, null, CancellationToken.None)));
        Assert.EndsWith("#0", (await FreshAsync(store, index, AsOf)).Item2, StringComparison.Ordinal);
        var moved = Seen(await service.RefreshAsync(index, later, record: false, null, CancellationToken.None));
        Assert.NotEqual("#0", moved.Item2);
        Assert.Equal(await FreshAsync(store, index, later), moved);

        // Another service records those changes: this one's kept stages are no longer current, and it must not record them again.
        Assert.Equal(moved.Item2, Seen(await other.RefreshAsync(index, later, record: true, null, CancellationToken.None)).Item2);
        Assert.Equal(await FreshAsync(store, index, later), Seen(await service.RefreshAsync(index, later, record: false, null, CancellationToken.None)));
        Assert.Equal("#0", Seen(await service.RefreshAsync(index, later, record: true, null, CancellationToken.None)).Item2);
        Assert.Equal(await FreshAsync(store, index, latest), Seen(await service.RefreshAsync(index, latest, record: false, null, CancellationToken.None)));

        // And the other way round: this service records, the other one (which read the stages before) sees it.
        var last = Seen(await service.RefreshAsync(index, latest, record: true, null, CancellationToken.None));
        Assert.NotEqual("#0", last.Item2);
        Assert.Equal("#0", Seen(await other.RefreshAsync(index, latest, record: true, null, CancellationToken.None)).Item2);
        Assert.Equal(await FreshAsync(store, index, latest), Seen(await other.RefreshAsync(index, latest, record: false, null, CancellationToken.None)));

        // A new index (a new customer ahead of the others, so every visitor number moves) with the stages kept.
        var grown = Index(Monthly("a", 10).Concat(Monthly("b", 50)).Concat(Monthly("c", 120)).Append(("n", AsOf.AddDays(-1))).Append(("0", AsOf)), "p");
        Assert.Equal(await FreshAsync(store, grown, latest), Seen(await service.RefreshAsync(grown, latest, record: false, null, CancellationToken.None)));
        Assert.Equal(await FreshAsync(store, index, latest), Seen(await service.RefreshAsync(index, latest, record: false, null, CancellationToken.None)));

        var stored = await LifecycleStore.TransitionsAsync(store, 0, 1000, CancellationToken.None);
        Assert.Equal(stored.Count, stored.Select(t => t.Id).Distinct().Count());
        Assert.Equal(stored[^1].Id, await LifecycleStore.VersionAsync(store, CancellationToken.None));
        Assert.Equal(LifecycleEngine.Run(index, latest).ToDictionary(s => s.CustomerId, s => s.Stage),
            await LifecycleStore.CurrentAsync(store, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task RecordAsync_MovesTheVersion_AndReturnsTheOneBefore(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        Assert.Equal(0, await LifecycleStore.VersionAsync(store, CancellationToken.None));
        Assert.Equal(-1, (await LifecycleStore.RecordAsync(store, [], AsOf, CancellationToken.None)).VersionBefore);
        Assert.Equal(0, await LifecycleStore.VersionAsync(store, CancellationToken.None));
        var first = await LifecycleStore.RecordAsync(store, [("x", null, LifecycleStages.New), ("y", null, LifecycleStages.Prospect)], AsOf, CancellationToken.None);
        Assert.Equal(0, first.VersionBefore);
        var version = await LifecycleStore.VersionAsync(store, CancellationToken.None);
        Assert.Equal(first.Transitions[^1].Id, version);
        var second = await LifecycleStore.RecordAsync(store, [("x", LifecycleStages.New, LifecycleStages.Active)], AsOf, CancellationToken.None);
        Assert.Equal(version, second.VersionBefore);
        Assert.True(await LifecycleStore.VersionAsync(store, CancellationToken.None) > version);
        var read = await LifecycleStore.ReadAsync(store, CancellationToken.None);
        Assert.Equal((second.Transitions[0].Id, LifecycleStages.Active), (read.Version, read.Stages["x"]));
        Assert.Same(LifecycleStages.Active, read.Stages["x"]);
    }
}
