using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Tests.Runtime;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Experiments;

/// <summary>A journey that names an experiment: the contract's assignment decides who is held out and which variant the others get.</summary>
public sealed class JourneyExperimentTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose() => Npgsql.NpgsqlConnection.ClearAllPools();

    private const string WinBack = """
        {"id":"win_back","name":"召回","trigger":{"type":"event","event":"add_to_cart"},"reentry":{"mode":"always"},
         "experiment":"win_back_holdout",
         "start":"send","steps":[
          {"id":"send","type":"send","channel":"sms","purpose":"marketing","template":{"text":"{{customer.name}}，好久不见"},"next":"done"},
          {"id":"done","type":"exit"}]}
        """;

    // c1 holdout, c2 treatment, c3 outside the experiment.
    private static FixedAssignments Double() => new("win_back_holdout", ["holdout", "treatment"], "holdout",
        unit => unit switch { "c1" => "holdout", "c2" => "treatment", _ => null });

    [Fact]
    public void Json_RoundTripsTheExperiment()
    {
        var journey = JourneyJson.ParseAndValidate(WinBack).Value;
        Assert.Equal("win_back_holdout", journey.Experiment);
        var again = JourneyJson.Parse(JourneyJson.Write(journey)).Value;
        Assert.Equal("win_back_holdout", again.Experiment);
        Assert.Contains("\"experiment\": \"win_back_holdout\"", JourneyJson.Write(journey), StringComparison.Ordinal);
        Assert.Null(JourneyJson.Parse(JourneyJson.Write(journey with { Experiment = null })).Value.Experiment);
        var blank = JourneyValidator.Validate(journey with { Experiment = " " });
        Assert.Equal("$.experiment", Assert.Single(blank).Path);
    }

    [Fact]
    public async Task Validation_NamesTheExperiment_WhenUnknownOrUnavailable()
    {
        var journey = JourneyJson.Parse(WinBack).Value;
        var unavailable = await CampaignExperiments.CheckAsync(journey, null, None);
        Assert.Equal("$.experiment", unavailable!.Path);
        Assert.Contains("experiments are not available", unavailable.Message, StringComparison.Ordinal);
        var unknown = await CampaignExperiments.CheckAsync(journey with { Experiment = "nope" }, Double(), None);
        Assert.Equal("$.experiment", unknown!.Path);
        Assert.Contains("no experiment 'nope'", unknown.Message, StringComparison.Ordinal);
        Assert.Null(await CampaignExperiments.CheckAsync(journey, Double(), None));
        Assert.Null(await CampaignExperiments.CheckAsync(journey with { Experiment = null }, null, None));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Entry_HoldsOutTheHoldout_StoresTheVariant_AndRunsOthersAsUsual(string engine)
    {
        var experiments = Double();
        await using var fx = await JourneyFixture.OpenAsync(engine, experiments: experiments);
        await fx.SaveAsync(JourneyJson.ParseAndValidate(WinBack).Value);
        foreach (var c in new[] { "c1", "c2", "c3" }) Assert.Equal(1, await fx.EventAsync("add_to_cart", c, "SKU-LIP"));
        var run = await fx.Engine.AdvanceAsync(None);
        Assert.Equal(0, run.Errors);

        var held = (await fx.EntryAsync("win_back", "c1"))!;
        Assert.Equal(("completed", "holdout", "holdout"), (held.Status, held.ExitReason, held.Variant));
        var treated = (await fx.EntryAsync("win_back", "c2"))!;
        Assert.Equal(("completed", (string?)null, "treatment"), (treated.Status, treated.ExitReason, treated.Variant));
        var outside = (await fx.EntryAsync("win_back", "c3"))!;
        Assert.Equal(("completed", (string?)null, (string?)null), (outside.Status, outside.ExitReason, outside.Variant));

        Assert.Empty(await fx.MessagesAsync("c1"));
        Assert.Equal("treatment", Assert.Single(await fx.MessagesAsync("c2")).Variant);
        Assert.Null(Assert.Single(await fx.MessagesAsync("c3")).Variant);
        Assert.Equal(["c1", "c2", "c3"], experiments.Calls.Select(c => c.Unit).Order(StringComparer.Ordinal));
        Assert.All(experiments.Calls, c => Assert.Equal(("win_back_holdout", "journey:win_back"), (c.Experiment, c.Source)));

        // The results count the holdout as the control group, and name the experiment.
        var report = (await CampaignResults.ComputeAsync(fx.Store, fx.Campaigns, "journey", "win_back", TimeSpan.FromDays(7), None)).Value;
        Assert.Equal("win_back_holdout", report.Experiment);
        var control = Assert.Single(report.Variants, v => v.Holdout);
        Assert.Equal(("holdout", 1L), (control.Variant, control.Entered));
        Assert.Equal(1L, Assert.Single(report.Variants, v => v.Variant == "treatment").Entered);
        Assert.Contains(report.Lifts, l => l.Variant == "treatment");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Engine_WithoutTheModule_RunsTheJourneyAsIfItNamedNoExperiment(string engine)
    {
        await using var fx = await JourneyFixture.OpenAsync(engine);
        await fx.SaveAsync(JourneyJson.ParseAndValidate(WinBack).Value);
        Assert.Equal(1, await fx.EventAsync("add_to_cart", "c1", "SKU-LIP"));
        await fx.Engine.AdvanceAsync(None);
        var entry = (await fx.EntryAsync("win_back", "c1"))!;
        Assert.Equal(("completed", (string?)null), (entry.Status, entry.Variant));
        Assert.Single(await fx.MessagesAsync("c1"));
    }
}
