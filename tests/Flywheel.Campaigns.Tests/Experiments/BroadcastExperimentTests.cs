using Flywheel.Campaigns.Broadcasts;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Campaigns.Tests.Store.StoreFixtures;

namespace Flywheel.Campaigns.Tests.Experiments;

/// <summary>A broadcast that names an experiment: two subject lines, a holdout, and the checks on its definition.</summary>
public sealed class BroadcastExperimentTests : IDisposable
{
    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private const int Customers = 30;

    // Variants a (the control: the main template), b (its own subject) and holdout. c001 is outside the experiment;
    // every fifth customer has no email (not eligible, so never assigned).
    private static string? VariantOf(string unit) =>
        unit == "c001" ? null : (int.Parse(unit[1..], System.Globalization.CultureInfo.InvariantCulture) % 3) switch { 0 => "holdout", 1 => "a", _ => "b" };

    private static FixedAssignments Double() => new("d11_subject", ["a", "b", "holdout"], "holdout", VariantOf);

    private static bool Eligible(int i) => i % 5 != 0;

    private static async Task<(FlywheelStore Store, CampaignStore Campaigns, TrackingLinks Links)> SeededAsync(string engine)
    {
        var (store, campaigns, _) = await OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "broadcasts", None))
        {
            for (var i = 1; i <= Customers; i++)
            {
                var row = new CustomerRow { CustomerId = $"c{i:D3}", Name = $"顾客{i}", TimeZone = "Asia/Shanghai", Present = CustomerFields.Name | CustomerFields.TimeZone };
                if (Eligible(i)) row.Identities.Add(new CustomerIdentity("email", $"c{i:D3}@example.com"));
                row.Consents.Add(new ConsentChange("email", "marketing", "granted", 1, "test"));
                Assert.True(session.UpsertCustomer(row).IsSuccess);
            }
            await session.CommitAsync(Customers, 0, None);
        }
        return (store, campaigns, new TrackingLinks(new byte[32], "https://fw.example.cn"));
    }

    private static string Definition(string extra) =>
        "{ \"name\": \"双11\", \"segment\": \"all\", \"channel\": \"email\", \"send_at\": \"2026-11-11T10:00:00+08:00\", " +
        "\"template\": { \"subject\": \"A：{{customer.name}}，双11\", \"text\": \"双11 来了 {{unsubscribe_url}}\" }" + extra + " }";

    private const string WithVariants = ", \"experiment\": \"d11_subject\", \"variants\": { \"b\": { \"template\": { \"subject\": \"B：最后一天\", \"text\": \"B 双11 {{unsubscribe_url}}\" } } }";

    [Fact]
    public void Definition_RoundTripsExperimentAndVariants_AndRefusesExperimentWithHoldoutPercent()
    {
        var parsed = BroadcastDefinition.Parse(Definition(WithVariants)).Value;
        Assert.Equal("d11_subject", parsed.Experiment);
        Assert.Equal("B：最后一天", parsed.Variants!["b"].Subject);
        var again = BroadcastDefinition.Parse(parsed.ToJson()).Value;
        Assert.Equal(("d11_subject", "B 双11 {{unsubscribe_url}}"), (again.Experiment, again.Variants!["b"].Text));

        var both = BroadcastDefinition.Parse(Definition(", \"experiment\": \"d11_subject\", \"holdout_percent\": 10"));
        Assert.Equal("$.holdout_percent", both.Error!.Path);
        var orphan = BroadcastDefinition.Parse(Definition(", \"variants\": { \"b\": { \"template\": { \"subject\": \"x\", \"text\": \"y\" } } }"));
        Assert.Equal("$.variants", orphan.Error!.Path);
        var noSubject = BroadcastDefinition.Parse(Definition(", \"experiment\": \"d11_subject\", \"variants\": { \"b\": { \"template\": { \"text\": \"y\" } } }"));
        Assert.Equal("$.variants.b.template.subject", noSubject.Error!.Path);
        var badTemplate = BroadcastDefinition.Parse(Definition(", \"experiment\": \"d11_subject\", \"variants\": { \"b\": { \"template\": { \"subject\": \"{{#if}}\", \"text\": \"y\" } } }"));
        Assert.StartsWith("$.variants.b.template", badTemplate.Error!.Path, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Create_ChecksTheExperimentAndItsVariants(string engine)
    {
        var (store, campaigns, links) = await SeededAsync(engine);
        using var _ = store;
        var clock = new TestClock(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var without = new BroadcastPlanner(store, campaigns, links, clock);
        var unavailable = await without.CreateAsync("d11", Definition(WithVariants), None);
        Assert.Equal("$.experiment", unavailable.Error!.Path);
        Assert.Contains("experiments are not available", unavailable.Error.Message, StringComparison.Ordinal);

        var planner = new BroadcastPlanner(store, campaigns, links, clock) { Experiments = Double() };
        var unknown = await planner.CreateAsync("d11", Definition(", \"experiment\": \"nope\""), None);
        Assert.Equal("$.experiment", unknown.Error!.Path);
        var noSuchVariant = await planner.CreateAsync("d11", Definition(WithVariants.Replace("\"b\":", "\"z\":", StringComparison.Ordinal)), None);
        Assert.Equal("$.variants.z", noSuchVariant.Error!.Path);
        var holdoutTemplate = await planner.CreateAsync("d11", Definition(WithVariants.Replace("\"b\":", "\"holdout\":", StringComparison.Ordinal)), None);
        Assert.Equal("$.variants.holdout", holdoutTemplate.Error!.Path);
        Assert.Null(await campaigns.GetBroadcastAsync("d11", None));
        Assert.True((await planner.CreateAsync("d11", Definition(WithVariants), None)).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Plan_SendsEachVariantItsTemplate_AndHoldsOutTheHoldout(string engine)
    {
        var (store, campaigns, links) = await SeededAsync(engine);
        using var _ = store;
        var clock = new TestClock(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var experiments = Double();
        var planner = new BroadcastPlanner(store, campaigns, links, clock) { Experiments = experiments, BatchSize = 7 };
        Assert.True((await planner.CreateAsync("d11", Definition(WithVariants), None)).IsSuccess);
        Assert.True((await planner.PlanAsync("d11", None)).IsSuccess);

        var page = (await campaigns.ListMessagesAsync(new MessageQuery(SourceKind: "broadcast", SourceId: "d11", Limit: 500), None)).Value;
        var messages = page.Messages.ToDictionary(m => m.CustomerId);
        Assert.Equal(Customers, messages.Count);
        for (var i = 1; i <= Customers; i++)
        {
            var id = $"c{i:D3}";
            var m = messages[id];
            if (!Eligible(i))
            {
                Assert.Equal(("suppressed", (string?)null), (m.Status, m.Variant));
                continue;
            }
            switch (VariantOf(id))
            {
                case "holdout":
                    Assert.Equal(("held_out", "holdout"), (m.Status, m.Variant));
                    break;
                case "b":
                    Assert.Equal(("queued", "b", "B：最后一天"), (m.Status, m.Variant, m.Subject));
                    Assert.StartsWith("B 双11", m.BodyText, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Equal(("queued", VariantOf(id), $"A：顾客{i}，双11"), (m.Status, m.Variant, m.Subject));
                    break;
            }
        }
        // Only the eligible were assigned (exposed), each once, by this broadcast.
        var eligible = Enumerable.Range(1, Customers).Where(Eligible).Select(i => $"c{i:D3}").ToList();
        Assert.Equal(eligible, experiments.Calls.Select(c => c.Unit).Order(StringComparer.Ordinal));
        Assert.All(experiments.Calls, c => Assert.Equal("broadcast:d11", c.Source));

        var report = (await CampaignResults.ComputeAsync(store, campaigns, "broadcast", "d11", TimeSpan.FromDays(7), None)).Value;
        Assert.Equal("d11_subject", report.Experiment);
        var control = Assert.Single(report.Variants, v => v.Holdout);
        Assert.Equal(("holdout", (long)eligible.Count(c => VariantOf(c) == "holdout")), (control.Variant, control.Entered));
    }
}
