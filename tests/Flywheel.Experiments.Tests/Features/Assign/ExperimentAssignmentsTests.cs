using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Experiments.Domain.Assignment;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Features.Assign;
using Flywheel.Experiments.Storage;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Experiments.Tests.Features.Assign;

public sealed class ExperimentAssignmentsTests
{
    /// <summary>Segment membership as Customers would answer it: "vip" is c1 and c2; every resolution is counted.</summary>
    private sealed class Vip : ISegmentMembers
    {
        public int Calls;

        public Task<Result<IReadOnlySet<string>>> ResolveAsync(FlywheelStore store, EventIndex index, string name, DateOnly asOf, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(name == "vip"
                ? Result<IReadOnlySet<string>>.Success(new HashSet<string>(["c1", "c2"], StringComparer.Ordinal))
                : Error.Invalid("segment", $"no segment named '{name}'"));
        }
    }

    private static ExperimentAssignments Assignments(FlywheelStore store, TimeProvider clock, ISegmentMembers? members = null) =>
        new(new ExperimentStore(store), new SegmentTargeting(store, new EventIndexHost(store), clock, members), clock);

    private static ExperimentDefinition Definition(string json) => DefinitionParser.Parse(json).Value;

    private const string Half = """{"key":"half","name":"x","traffic":0.5,"variants":[{"key":"control","weight":50},{"key":"b","weight":50}]}""";

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Assign_FollowsStatusAndTraffic_RecordsOnlyUnitsInIt(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var experiments = new ExperimentStore(store);
        var assignments = Assignments(store, clock);
        Assert.Equal(ErrorKind.NotFound, (await assignments.AssignAsync("half", "c1", "api", default)).Error!.Kind);
        var stored = (await experiments.CreateAsync(Definition(Half), 1, default)).Value;

        var draft = (await assignments.AssignAsync("half", "c1", "api", default)).Value;
        Assert.Equal((false, ExperimentAssignments.NotRunning), (draft.InExperiment, draft.Reason));
        await experiments.StartAsync("half", 2, default);

        var answers = new List<(string Unit, string? Variant, string? Reason)>();
        for (var i = 0; i < 200; i++)
        {
            var unit = "c" + i.ToString(CultureInfo.InvariantCulture);
            var a = (await assignments.AssignAsync("half", unit, "journey:win_back", default)).Value;
            var expected = Bucketing.Assign(stored.Definition, stored.Salt, unit);
            Assert.Equal(expected.Variant, a.Variant);
            Assert.Equal(expected.InTraffic ? null : ExperimentAssignments.Traffic, a.Reason);
            answers.Add((unit, a.Variant, a.Reason));
        }
        var inside = answers.Count(a => a.Variant is not null);
        Assert.InRange(inside, 70, 130);
        Assert.Equal(inside, await TestStores.CountAsync(store, "experiment_exposures", "experiment_key = 'half' AND source = 'journey:win_back'"));

        await experiments.StopAsync("half", 3, default);
        var stopped = (await assignments.AssignAsync("half", answers.First(a => a.Variant is not null).Unit, "api", default)).Value;
        Assert.Equal((null, ExperimentAssignments.NotRunning), (stopped.Variant, stopped.Reason));
        Assert.Equal(inside, await TestStores.CountAsync(store, "experiment_exposures"));

        foreach (var bad in new[] { "", " ", new string('x', 201), "c\n1", "c\u00001" })
            Assert.Equal(("unit", ErrorKind.Validation), ((await assignments.AssignAsync("half", bad, "api", default)).Error!.Path, (await assignments.AssignAsync("half", bad, "api", default)).Error!.Kind));
        Assert.Equal("source", (await assignments.AssignAsync("half", "c1", "", default)).Error!.Path);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Assign_IsSticky_AcrossServers_AndKeepsTheStoredVariant(string engine)
    {
        var clock = new TestClock();
        var location = TestStores.NewLocation(engine);
        using var first = (await FlywheelStore.OpenAsync(location, clock, TestStores.Modules, default)).Value;
        using var second = (await FlywheelStore.OpenAsync(location, clock, TestStores.Modules, default)).Value;
        var experiments = new ExperimentStore(first);
        await experiments.CreateAsync(Definition("""{"key":"hold","name":"x","variants":[{"key":"holdout","weight":10,"holdout":true},{"key":"treated","weight":90}]}"""), 1, default);
        await experiments.StartAsync("hold", 2, default);
        // A unit recorded with another variant than its hash gives (as if the definition had changed) keeps the recorded one.
        var stored = (await experiments.GetAsync("hold", default))!;
        var unit = Enumerable.Range(0, 100).Select(i => "u" + i.ToString(CultureInfo.InvariantCulture))
            .First(u => Bucketing.Assign(stored.Definition, stored.Salt, u).Variant == "treated");
        await experiments.RecordExposureAsync("hold", unit, "holdout", "api", 3, default);

        var a = Assignments(first, clock);
        var b = Assignments(second, clock);
        var units = Enumerable.Range(0, 300).Select(i => "u" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var onFirst = new List<string?>();
        foreach (var u in units) onFirst.Add((await a.AssignAsync("hold", u, "api", default)).Value.Variant);
        var onSecond = new List<string?>();
        foreach (var u in units) onSecond.Add((await b.AssignAsync("hold", u, "api", default)).Value.Variant);
        Assert.Equal(onFirst, onSecond);
        var held = (await b.AssignAsync("hold", unit, "api", default)).Value;
        Assert.Equal(("holdout", true), (held.Variant, held.Holdout));
        Assert.Equal(300, await TestStores.CountAsync(second, "experiment_exposures"));
        Assert.InRange(onFirst.Count(v => v == "holdout"), 15, 50);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Assign_SixteenParallelCallsForOneUnit_OneRowOneVariant(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var experiments = new ExperimentStore(store);
        await experiments.CreateAsync(Definition(Half.Replace("0.5", "1", StringComparison.Ordinal)), 1, default);
        await experiments.StartAsync("half", 2, default);
        var assignments = Assignments(store, clock);
        using var gate = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return (await assignments.AssignAsync("half", "same-unit", "api", default)).Value;
        })).ToList();
        gate.Set();
        var answers = await Task.WhenAll(calls);
        Assert.Single(answers.Select(x => x.Variant).Distinct());
        Assert.NotNull(answers[0].Variant);
        Assert.Equal(1, await TestStores.CountAsync(store, "experiment_exposures", "unit_id = 'same-unit'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Assign_Segment_AdmitsMembersOnly_CachesTheSetForAMinute(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var experiments = new ExperimentStore(store);
        var vip = new Vip();
        var assignments = Assignments(store, clock, vip);
        await experiments.CreateAsync(Definition("""{"key":"vip_test","name":"x","segment":"vip","variants":[{"key":"control","weight":1},{"key":"b","weight":1}]}"""), 1, default);
        await experiments.StartAsync("vip_test", 2, default);

        var outsider = (await assignments.AssignAsync("vip_test", "c3", "api", default)).Value;
        Assert.Equal((null, ExperimentAssignments.Segment), (outsider.Variant, outsider.Reason));
        Assert.Equal(0, await TestStores.CountAsync(store, "experiment_exposures"));
        Assert.True((await assignments.AssignAsync("vip_test", "c1", "api", default)).Value.InExperiment);
        Assert.True((await assignments.AssignAsync("vip_test", "c2", "api", default)).Value.InExperiment);
        Assert.Equal(2, await TestStores.CountAsync(store, "experiment_exposures"));
        Assert.Equal(1, vip.Calls);

        clock.Advance(TimeSpan.FromSeconds(59));
        await assignments.AssignAsync("vip_test", "c3", "api", default);
        Assert.Equal(1, vip.Calls);
        clock.Advance(TimeSpan.FromSeconds(2));
        await assignments.AssignAsync("vip_test", "c3", "api", default);
        Assert.Equal(2, vip.Calls);

        // A segment nobody can resolve admits nobody.
        await experiments.CreateAsync(Definition("""{"key":"ghost","name":"x","segment":"ghosts","variants":[{"key":"control","weight":1},{"key":"b","weight":1}]}"""), 1, default);
        await experiments.StartAsync("ghost", 2, default);
        Assert.Equal(ExperimentAssignments.Segment, (await assignments.AssignAsync("ghost", "c1", "api", default)).Value.Reason);
        Assert.Equal(ExperimentAssignments.Segment, (await assignments.AssignAsync("ghost", "c2", "api", default)).Value.Reason);
        Assert.Equal(3, vip.Calls); // the failed resolution is cached too
        Assert.Equal(2, await TestStores.CountAsync(store, "experiment_exposures"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Describe_GivesStatusVariantsAndHoldout(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await new ExperimentStore(store).CreateAsync(Definition("""{"key":"hold","name":"x","variants":[{"key":"holdout","weight":10,"holdout":true},{"key":"treated","weight":90}]}"""), 1, default);
        var summary = (await Assignments(store, clock).DescribeAsync("hold", default)).Value;
        Assert.Equal(("hold", "draft", "holdout"), (summary.Key, summary.Status, summary.HoldoutVariant));
        Assert.Equal(["holdout", "treated"], summary.Variants);
        Assert.Equal(ErrorKind.NotFound, (await Assignments(store, clock).DescribeAsync("nope", default)).Error!.Kind);
    }
}
