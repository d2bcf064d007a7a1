using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Runtime;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Broadcasts;

public sealed class BroadcastPlannerTests : IDisposable
{
    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private static readonly string[] Zones = ["Asia/Shanghai", "America/New_York", "Europe/London"];

    // 50 customers c001..c050: no consent row when i % 7 == 0, marketing email withdrawn when i % 11 == 0, no email when
    // i % 10 == 0. The three sets do not overlap: 7 + 4 + 5 = 16 suppressed, 34 eligible.
    private const int Customers = 50;
    private const int Eligible = 34;

    private static bool IsEligible(int i) => i % 7 != 0 && i % 11 != 0 && i % 10 != 0;

    private sealed class Harness : IDisposable
    {
        public required FlywheelStore Store { get; init; }
        public required CampaignStore Campaigns { get; init; }
        public required TestClock Clock { get; init; }
        public required TrackingLinks Links { get; init; }

        public BroadcastPlanner Planner(int batchSize = 5_000, Func<BroadcastBatchResult, CancellationToken, Task>? afterBatch = null) =>
            new(Store, Campaigns, Links, Clock) { BatchSize = batchSize, AfterBatch = afterBatch };

        public void Dispose() => Store.Dispose();
    }

    private static async Task<Harness> SeededAsync(string engine, Action<int, CustomerRow>? tweak = null)
    {
        var (store, campaigns, clock) = await OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "broadcasts", None))
        {
            for (var i = 1; i <= Customers; i++)
            {
                var row = new CustomerRow
                {
                    CustomerId = $"c{i:D3}", Name = $"顾客{i}", TimeZone = Zones[i % 3],
                    Present = CustomerFields.Name | CustomerFields.TimeZone,
                };
                if (i % 10 != 0) row.Identities.Add(new CustomerIdentity("email", $"c{i:D3}@example.com"));
                if (i % 11 == 0) row.Consents.Add(new ConsentChange("email", "marketing", "withdrawn", 1, "test"));
                else if (i % 7 != 0) row.Consents.Add(new ConsentChange("email", "marketing", "granted", 1, "test"));
                tweak?.Invoke(i, row);
                Assert.True(session.UpsertCustomer(row).IsSuccess);
            }
            await session.CommitAsync(Customers, 0, None);
        }
        return new Harness { Store = store, Campaigns = campaigns, Clock = clock, Links = new TrackingLinks(new byte[32], "https://fw.example.cn") };
    }

    private static string Definition(string extra = "\"send_at\": \"2026-11-11T10:00:00+08:00\"", string segment = "all", string text = "{{customer.name}}，双11 来了 {{track \\\"https://shop.example/d11\\\"}} 退订 {{unsubscribe_url}}") =>
        "{ \"name\": \"双11\", \"segment\": \"" + segment + "\", \"channel\": \"email\", \"template\": { \"subject\": \"{{customer.name}}，双11\", \"text\": \"" + text + "\" }, " + extra + " }";

    private static async Task<List<StoredMessage>> MessagesAsync(Harness h, string broadcastId)
    {
        var all = new List<StoredMessage>();
        long? before = null;
        while (true)
        {
            var page = (await h.Campaigns.ListMessagesAsync(new MessageQuery(SourceKind: "broadcast", SourceId: broadcastId, BeforeId: before, Limit: 500), None)).Value;
            all.AddRange(page.Messages);
            if (page.NextBeforeId is null) return all;
            before = page.NextBeforeId;
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Plan_CountsAddUpToTheSegment_ConsentAndHoldoutAppliedUpFront(string engine)
    {
        using var h = await SeededAsync(engine);
        Assert.True((await h.Planner().CreateAsync("d11", Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"holdout_percent\": 20"), None)).IsSuccess);
        var result = (await h.Planner().PlanAsync("d11", None)).Value;

        Assert.Equal("sending", result.Broadcast.Status);
        Assert.Equal(Customers, result.Planned);
        var messages = await MessagesAsync(h, "d11");
        Assert.Equal(Customers, messages.Count);
        Assert.Equal(Enumerable.Range(1, Customers).Select(i => $"b:d11:c{i:D3}"), messages.Select(m => m.IdempotencyKey).Order(StringComparer.Ordinal));
        var byStatus = messages.GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Customers - Eligible, byStatus["suppressed"]);
        Assert.Equal(Eligible, byStatus["queued"] + byStatus["held_out"]);
        Assert.Equal((50L, (long)byStatus["queued"], (long)byStatus["held_out"]), (result.Broadcast.Planned, result.Broadcast.Enqueued, result.Broadcast.HeldOut));

        // The control group is the hash's choice among the eligible customers, and only theirs.
        var expectedHeld = Enumerable.Range(1, Customers).Where(IsEligible).Select(i => $"c{i:D3}")
            .Where(c => BroadcastPlanner.InHoldout("d11", c, 20)).ToHashSet();
        Assert.Equal(expectedHeld.Order(), messages.Where(m => m.Status == "held_out").Select(m => m.CustomerId).Order());
        Assert.All(messages.Where(m => m.Status == "held_out"), m => Assert.Equal("control", m.Variant));

        // Suppressions say why.
        var reasons = messages.Where(m => m.Status == "suppressed").ToDictionary(m => m.CustomerId, m => m.LastError);
        Assert.Equal("suppressed: no marketing consent on email", reasons["c007"]);
        Assert.Equal("suppressed: no marketing consent on email", reasons["c011"]);
        Assert.Equal("suppressed: no email address", reasons["c010"]);

        var sample = messages.First(m => m.Status == "queued");
        Assert.Equal($"{sample.CustomerId}@example.com", sample.Recipient);
        Assert.StartsWith("顾客", sample.Subject);
        Assert.Contains("https://fw.example.cn/r/", sample.BodyText);
        Assert.StartsWith("https://fw.example.cn/u/", sample.UnsubscribeUrl);
        Assert.Contains(sample.UnsubscribeUrl!, sample.BodyText);
        Assert.Equal(("unsubscribe", $"b:d11:{sample.CustomerId}"), (h.Links.Resolve(sample.UnsubscribeUrl!.Split("/u/")[1])!.Kind, h.Links.Resolve(sample.UnsubscribeUrl.Split("/u/")[1])!.IdempotencyKey));
        var click = h.Links.Resolve(sample.BodyText!.Split("/r/")[1].Split(' ')[0])!;
        Assert.Equal(("https://shop.example/d11", "双11"), (click.Url, click.Campaign));
        Assert.All(messages, m => Assert.Equal(DateTimeOffset.Parse("2026-11-11T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture), m.DueAt));

        // Planning again changes nothing.
        var again = (await h.Planner().PlanAsync("d11", None)).Value;
        Assert.Equal((0, 50L), (again.Batches, again.Broadcast.Planned));
        Assert.Equal(Customers, await TestStores.CountAsync(h.Store, "messages"));
    }

    [Fact]
    public void Holdout_IsDeterministic_AndNearThePercent()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"cust-{i}").ToArray();
        var first = ids.Where(c => BroadcastPlanner.InHoldout("d11", c, 10)).ToArray();
        var second = ids.Where(c => BroadcastPlanner.InHoldout("d11", c, 10)).ToArray();
        Assert.Equal(first, second);
        Assert.InRange(first.Length, 1_800, 2_200);
        var other = ids.Where(c => BroadcastPlanner.InHoldout("d12", c, 10)).ToHashSet();
        Assert.InRange(first.Count(other.Contains), 100, 300); // another broadcast draws its own group (~10% of 10%)
        Assert.DoesNotContain(ids, c => BroadcastPlanner.InHoldout("d11", c, 0));
        Assert.InRange(ids.Count(c => BroadcastPlanner.InHoldout("d11", c, 50)), 9_700, 10_300);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task LocalTime_EachCustomerAtTenInTheirOwnZone(string engine)
    {
        using var h = await SeededAsync(engine);
        Assert.True((await h.Planner().CreateAsync("d11", Definition("\"local_time\": \"10:00\", \"send_date\": \"2026-11-11\""), None)).IsSuccess);
        await h.Planner().PlanAsync("d11", None);
        var due = (await MessagesAsync(h, "d11")).ToDictionary(m => m.CustomerId, m => m.DueAt.UtcDateTime);
        Assert.Equal(new DateTime(2026, 11, 11, 2, 0, 0, DateTimeKind.Utc), due["c003"]);  // Asia/Shanghai, UTC+8
        Assert.Equal(new DateTime(2026, 11, 11, 15, 0, 0, DateTimeKind.Utc), due["c001"]); // America/New_York, EST
        Assert.Equal(new DateTime(2026, 11, 11, 10, 0, 0, DateTimeKind.Utc), due["c002"]); // Europe/London, GMT

        // Without send_date: the store's next day on which 10:00 is still ahead (the clock says 2026-11-01 12:00 in Shanghai).
        var saved = (await h.Planner().CreateAsync("d12", Definition("\"local_time\": \"10:00\""), None)).Value;
        Assert.Contains("\"send_date\":\"2026-11-02\"", saved.DefinitionJson);
        await h.Planner().PlanAsync("d12", None);
        Assert.Equal(new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc), (await MessagesAsync(h, "d12")).Single(m => m.CustomerId == "c001").DueAt.UtcDateTime);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Throttle_SpreadsDueTimes(string engine)
    {
        using var h = await SeededAsync(engine);
        await h.Planner().CreateAsync("d11", Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"rate_per_minute\": 10"), None);
        await h.Planner(batchSize: 7).PlanAsync("d11", None);
        var messages = await MessagesAsync(h, "d11");
        var start = new DateTimeOffset(2026, 11, 11, 2, 0, 0, TimeSpan.Zero);
        var queued = messages.Where(m => m.Status == "queued").OrderBy(m => m.CustomerId, StringComparer.Ordinal).Select(m => m.DueAt).ToArray();
        Assert.Equal(Eligible, queued.Length);
        Assert.Equal(Enumerable.Range(0, Eligible).Select(i => start.AddSeconds(6 * i)), queued); // 10 a minute: one every 6 s, in customer order
        Assert.All(messages.Where(m => m.Status != "queued"), m => Assert.Equal(start, m.DueAt));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Crash_AfterTwoBatches_RestartPlansEveryCustomerExactlyOnce(string engine)
    {
        using var h = await SeededAsync(engine);
        await h.Planner().CreateAsync("d11", Definition("\"local_time\": \"10:00\", \"send_date\": \"2026-11-11\", \"rate_per_minute\": 60, \"holdout_percent\": 10"), None);

        using var crash = new CancellationTokenSource();
        var batches = 0;
        var crashing = h.Planner(batchSize: 10, afterBatch: (_, _) =>
        {
            if (++batches == 2) crash.Cancel();
            return Task.CompletedTask;
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => crashing.PlanAsync("d11", crash.Token));
        var halfway = (await h.Campaigns.GetBroadcastAsync("d11", None))!;
        Assert.Equal(("planning", 20L, "c020"), (halfway.Status, halfway.Planned, halfway.PlanCursor));
        Assert.Equal(20, await TestStores.CountAsync(h.Store, "messages"));

        var resumed = (await h.Planner(batchSize: 10).PlanAsync("d11", None)).Value;
        Assert.Equal((3, 30L), (resumed.Batches, resumed.Planned));
        Assert.Equal(("sending", 50L), (resumed.Broadcast.Status, resumed.Broadcast.Planned));
        Assert.Equal(0L, Convert.ToInt64(await TestStores.ScalarAsync(h.Store, "SELECT COUNT(*) FROM (SELECT idempotency_key FROM messages GROUP BY idempotency_key HAVING COUNT(*) > 1) d"), System.Globalization.CultureInfo.InvariantCulture));
        var messages = await MessagesAsync(h, "d11");
        Assert.Equal(Enumerable.Range(1, Customers).Select(i => $"c{i:D3}"), messages.Select(m => m.CustomerId).Order(StringComparer.Ordinal));
        Assert.Equal(resumed.Broadcast.Enqueued + resumed.Broadcast.HeldOut + messages.Count(m => m.Status == "suppressed"), resumed.Broadcast.Planned);

        // The throttle picked up where the crashed run left it: per zone, one a second from 10:00 local, no gaps, no repeats.
        foreach (var zone in messages.Where(m => m.Status == "queued").GroupBy(m => int.Parse(m.CustomerId[1..], System.Globalization.CultureInfo.InvariantCulture) % 3))
        {
            var dues = zone.OrderBy(m => m.CustomerId, StringComparer.Ordinal).Select(m => m.DueAt).ToArray();
            Assert.Equal(Enumerable.Range(0, dues.Length).Select(i => dues[0].AddSeconds(i)), dues);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task TwoPlannersAtOnce_NoDuplicates(string engine)
    {
        using var h = await SeededAsync(engine);
        await h.Planner().CreateAsync("d11", Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"rate_per_minute\": 100"), None);
        var results = await AllAtOnceAsync(2, _ => h.Planner(batchSize: 5).PlanAsync("d11", None));
        Assert.Contains(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("conflict", r.Error!.Code));
        var broadcast = (await h.Campaigns.GetBroadcastAsync("d11", None))!;
        if (broadcast.Status == "planning") broadcast = (await h.Planner(batchSize: 5).PlanAsync("d11", None)).Value.Broadcast;
        Assert.Equal(("sending", 50L, (long)Eligible), (broadcast.Status, broadcast.Planned, broadcast.Enqueued));
        var messages = await MessagesAsync(h, "d11");
        Assert.Equal(Customers, messages.Count);
        Assert.Equal(Customers, messages.Select(m => m.IdempotencyKey).Distinct().Count());
        Assert.Equal(Eligible, messages.Where(m => m.Status == "queued").Select(m => m.DueAt).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ATemplateThatFailsForOneCustomer_SuppressesThatMessage_TheRestGoOut(string engine)
    {
        using var h = await SeededAsync(engine, (i, row) =>
        {
            if (i != 1) return;
            row.City = "上海";
            row.Present |= CustomerFields.City;
        });
        var text = "{{customer.name}}{{#if customer.city}} {{yuan customer.city}}{{/if}}";
        Assert.True((await h.Planner().CreateAsync("d11", Definition(text: text), None)).IsSuccess);
        var result = (await h.Planner().PlanAsync("d11", None)).Value;
        Assert.Equal("sending", result.Broadcast.Status);
        var messages = (await MessagesAsync(h, "d11")).ToDictionary(m => m.CustomerId);
        Assert.Equal("suppressed", messages["c001"].Status);
        Assert.Contains("yuan", messages["c001"].LastError);
        Assert.Equal(Eligible - 1, messages.Values.Count(m => m.Status == "queued"));
        Assert.Equal("顾客2", messages["c002"].BodyText);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AnEmptySegment_GoesStraightToSending(string engine)
    {
        using var h = await SeededAsync(engine);
        Assert.Equal("champions", (await h.Planner().CreateAsync("d11", Definition(segment: "champions"), None)).Value.Segment);
        var empty = (await h.Planner().PlanAsync("d11", None)).Value; // nobody has bought anything: an empty segment
        Assert.Equal(("sending", 0L, 0), (empty.Broadcast.Status, empty.Broadcast.Planned, empty.Batches));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Transactional_NeedsNoMarketingGrant_OnlyAnAddress(string engine)
    {
        using var h = await SeededAsync(engine);
        await h.Planner().CreateAsync("notice", Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"purpose\": \"transactional\""), None);
        var result = (await h.Planner().PlanAsync("notice", None)).Value;
        Assert.Equal((50L, 45L, 0L), (result.Broadcast.Planned, result.Broadcast.Enqueued, result.Broadcast.HeldOut)); // 5 have no email
        Assert.All((await MessagesAsync(h, "notice")).Where(m => m.Status == "queued"), m => Assert.Equal("transactional", m.Purpose));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task UnknownOrCancelledBroadcasts_AreNotPlanned(string engine)
    {
        using var h = await SeededAsync(engine);
        Assert.Equal("not_found", (await h.Planner().PlanAsync("nope", None)).Error!.Code);
        await h.Planner().CreateAsync("d11", Definition(), None);
        await h.Campaigns.SetBroadcastStatusAsync("d11", "cancelled", null, None);
        Assert.Equal("conflict", (await h.Planner().PlanAsync("d11", None)).Error!.Code);
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "messages"));
    }

    public static TheoryData<string, string, string> BadDefinitions => new()
    {
        { Definition(segment: "no_such_segment"), "$.segment", "not_found" },
        { Definition(text: "Hi {{customer.shoe_size}}"), "$.template.text", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"holdout_percent\": 80"), "$.holdout_percent", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"rate_per_minute\": 0"), "$.rate_per_minute", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"local_time\": \"10:00\""), "$.local_time", "invalid" },
        { Definition("\"send_at\": \"11/11/2026\""), "$.send_at", "invalid" },
        { Definition("\"local_time\": \"25:00\""), "$.local_time", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"colour\": \"red\""), "$.colour", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\"").Replace("\"email\"", "\"fax\""), "$.channel", "invalid" },
        { Definition("\"send_at\": \"2026-11-11T10:00:00+08:00\", \"purpose\": \"spam\""), "$.purpose", "invalid" },
        { "[1]", "$", "invalid" },
        { "{ \"name\": ", "$", "invalid" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task BadDefinitions_NameTheJsonPath_NothingWritten(string json, string path, string code)
    {
        using var h = await SeededAsync(TestStores.Sqlite);
        var created = await h.Planner().CreateAsync("d11", json, None);
        Assert.False(created.IsSuccess);
        Assert.Equal((code, path), (created.Error!.Code, created.Error.Path));
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "broadcasts"));
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "messages"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task BadDefinition_OnPostgresToo(string engine)
    {
        using var h = await SeededAsync(engine);
        var created = await h.Planner().CreateAsync("d11", Definition(segment: "no_such_segment"), None);
        Assert.Equal("$.segment", created.Error!.Path);
        Assert.Equal(0, await TestStores.CountAsync(h.Store, "broadcasts"));
    }

    [Fact]
    public void Definition_RoundTripsThroughJson()
    {
        var parsed = BroadcastDefinition.Parse(Definition("\"local_time\": \"10:00\", \"send_date\": \"2026-11-11\", \"rate_per_minute\": 60, \"holdout_percent\": 12.5, \"campaign\": \"d11_utm\"")).Value;
        var again = BroadcastDefinition.Parse(parsed.ToJson()).Value;
        Assert.Equal((parsed.Name, parsed.Segment, parsed.Channel, parsed.Purpose, parsed.LocalTime, parsed.SendDate, parsed.RatePerMinute, parsed.HoldoutPercent, parsed.Campaign),
            (again.Name, again.Segment, again.Channel, again.Purpose, again.LocalTime, again.SendDate, again.RatePerMinute, again.HoldoutPercent, again.Campaign));
        Assert.Equal(parsed.Template, again.Template);
        Assert.Equal("d11_utm", again.Campaign);
    }
}
