using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Storage;
using Flywheel.Experiments.Tests.Definitions;
using Flywheel.Primitives;
using Flywheel.Tests;

namespace Flywheel.Experiments.Tests.Storage;

public sealed class ExperimentStoreTests
{
    private static ExperimentDefinition Example => DefinitionParser.Parse(DefinitionParserTests.Example).Value;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Create_Get_List_RoundTrip_AndAKeyIsTakenOnce(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var experiments = new ExperimentStore(store);
        var created = (await experiments.CreateAsync(Example, 1000, default)).Value;
        Assert.Equal(ExperimentLifecycle.Draft, created.Status);
        Assert.Matches("^[0-9a-f]{32}$", created.Salt);

        var read = (await experiments.GetAsync("subject_test", default))!;
        Assert.Equal(created.Salt, read.Salt);
        Assert.Equal(DefinitionParser.Write(Example), DefinitionParser.Write(read.Definition));
        Assert.Equal((1000L, 1000L, (long?)null, (long?)null), (read.CreatedAt, read.UpdatedAt, read.StartedAt, read.StoppedAt));
        Assert.Null(await experiments.GetAsync("nope", default));

        var again = await experiments.CreateAsync(Example with { Name = "another" }, 2000, default);
        Assert.Equal(ErrorKind.Conflict, again.Error!.Kind);
        Assert.Equal("双11预热短信标题", (await experiments.GetAsync("subject_test", default))!.Definition.Name);
        Assert.Equal(created.Salt, (await experiments.GetAsync("subject_test", default))!.Salt);

        await experiments.CreateAsync(Example with { Key = "second" }, 3000, default);
        Assert.Equal(["second", "subject_test"], (await experiments.ListAsync(default)).Select(e => e.Key));
        Assert.NotEqual(created.Salt, (await experiments.GetAsync("second", default))!.Salt);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Lifecycle_DraftChangesFreely_RunningFreezesTheSplit_StoppedIsFinal(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var experiments = new ExperimentStore(store);
        var d = Example;
        await experiments.CreateAsync(d, 1000, default);
        var reweighted = d with { Variants = [d.Variants[0], d.Variants[1] with { Weight = 30 }], Traffic = 0.2 };
        Assert.True((await experiments.UpdateAsync(reweighted, 1100, default)).IsSuccess);
        Assert.Equal(30, (await experiments.GetAsync(d.Key, default))!.Definition.Variants[1].Weight);

        Assert.Equal(ErrorKind.Conflict, (await experiments.StopAsync(d.Key, 1150, default)).Error!.Kind); // a draft cannot stop
        var started = (await experiments.StartAsync(d.Key, 1200, default)).Value;
        Assert.Equal((ExperimentLifecycle.Running, (long?)1200), (started.Status, started.StartedAt));
        Assert.Equal(ErrorKind.Conflict, (await experiments.StartAsync(d.Key, 1250, default)).Error!.Kind);

        var refused = await experiments.UpdateAsync(reweighted with { Variants = d.Variants }, 1300, default);
        Assert.Equal((ErrorKind.Conflict, "$.variants"), (refused.Error!.Kind, refused.Error.Path));
        Assert.Equal(ErrorKind.Conflict, (await experiments.UpdateAsync(reweighted with { Traffic = 0.1 }, 1300, default)).Error!.Kind);
        var renamed = (await experiments.UpdateAsync(reweighted with { Name = "改名", Hypothesis = "h2", Traffic = 0.5 }, 1400, default)).Value;
        Assert.Equal(("改名", 0.5, 30), (renamed.Definition.Name, renamed.Definition.Traffic, renamed.Definition.Variants[1].Weight));
        var stored = (await experiments.GetAsync(d.Key, default))!;
        Assert.Equal(("改名", "h2", 0.5, 1400L, started.Salt), (stored.Definition.Name, stored.Definition.Hypothesis, stored.Definition.Traffic, stored.UpdatedAt, stored.Salt));

        var stopped = (await experiments.StopAsync(d.Key, 1500, default)).Value;
        Assert.Equal((ExperimentLifecycle.Stopped, (long?)1200, (long?)1500), (stopped.Status, stopped.StartedAt, stopped.StoppedAt));
        Assert.Equal(ErrorKind.Conflict, (await experiments.StartAsync(d.Key, 1600, default)).Error!.Kind);
        Assert.Equal(ErrorKind.Conflict, (await experiments.StopAsync(d.Key, 1600, default)).Error!.Kind);
        Assert.Equal(ErrorKind.Conflict, (await experiments.UpdateAsync(stored.Definition with { Traffic = 1.0 }, 1700, default)).Error!.Kind);
        Assert.True((await experiments.UpdateAsync(stored.Definition with { Name = "done" }, 1700, default)).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await experiments.StartAsync("nope", 1, default)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await experiments.StopAsync("nope", 1, default)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await experiments.UpdateAsync(d with { Key = "nope" }, 1, default)).Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Exposure_IsRecordedOnce_TheFirstVariantWins(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var experiments = new ExperimentStore(store);
        await experiments.CreateAsync(Example, 1000, default);
        Assert.Equal("b", await experiments.RecordExposureAsync("subject_test", "c1", "b", "api", 2000, default));
        Assert.Equal("b", await experiments.RecordExposureAsync("subject_test", "c1", "control", "journey:x", 3000, default));
        Assert.Equal("control", await experiments.RecordExposureAsync("subject_test", "c2", "control", "cli", 4000, default));
        Assert.Equal(new Exposure("c1", "b", 2000, "api"), await experiments.ExposureAsync("subject_test", "c1", default));
        Assert.Equal(["c1", "c2"], (await experiments.ExposuresAsync("subject_test", default)).Select(e => e.UnitId));
        var counts = await experiments.ExposureCountsAsync(null, default);
        Assert.Equal(1, counts["subject_test"]["b"]);
        Assert.Equal(1, counts["subject_test"]["control"]);
        Assert.Equal(2, await TestStores.CountAsync(store, "experiment_exposures"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Exposure_SixteenRacingRecords_OneRow_OneVariantForAll(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var experiments = new ExperimentStore(store);
        await experiments.CreateAsync(Example, 1000, default);
        using var gate = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await experiments.RecordExposureAsync("subject_test", "c-race", i % 2 == 0 ? "control" : "b", "api", 2000 + i, default);
        })).ToList();
        gate.Set();
        var answers = await Task.WhenAll(racers);
        Assert.Single(answers.Distinct());
        Assert.Equal(1, await TestStores.CountAsync(store, "experiment_exposures", "unit_id = 'c-race'"));
        Assert.Equal(answers[0], (await experiments.ExposureAsync("subject_test", "c-race", default))!.Variant);
    }
}
