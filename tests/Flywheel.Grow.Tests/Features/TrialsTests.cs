using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain.Trials;
using Flywheel.Grow.Features.Content;
using Flywheel.Grow.Features.Trials;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features;

/// <summary>Trial-ambassador programmes on both engines: the allowed moves only, the seats, and the report on <see cref="HandStore"/>.</summary>
public sealed class TrialsTests
{
    private static TrialsHandler Handler(FlywheelStore store)
    {
        var host = new EventIndexHost(store);
        var clock = new TestClock();
        return new TrialsHandler(store, clock, host, new ContentReportHandler(store, host, clock));
    }

    private static readonly CreateTrialRequest Programme = new("t1", "防晒体验官", "P1", 3, 5_000, "2026-05-25", "2026-06-02");

    // a1 posts B, a2 is shipped, a3 selected, a4 rejected, a5 only applied (the seats are all taken when it is tried).
    // Report over 05-25..06-02: 5 applications, 3 selected, 1 rejected, 2 shipped, 1 posted; cost 2 × 50.00 = 100.00, per post 100.00;
    // B's attributed orders O2 + O3 = 2, GMV 400.00, cost per order 50.00, ROI 4. Paid creators (owner kol, published in the days): A only
    // (D is published 06-05): cost 1000.00, O1 = 1 order, GMV 200.00, cost per order 1000.00, ROI 0.2.
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Programme_MovesAndReport(string engine)
    {
        using var store = await HandStore.OpenAsync(engine);
        var trials = Handler(store);
        Assert.True((await trials.CreateAsync(Programme, CancellationToken.None)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await trials.CreateAsync(Programme, CancellationToken.None)).Error?.Kind);
        foreach (var a in new[] { "a1", "a2", "a3", "a4", "a5" })
            Assert.True((await trials.ApplyAsync("t1", new ApplyRequest(a, a == "a1" ? "koc" : null), CancellationToken.None)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await trials.ApplyAsync("t1", new ApplyRequest("a1", null), CancellationToken.None)).Error?.Kind);

        async Task<Result<TrialApplicant>> Move(string applicant, string status, string? content = null) =>
            await trials.MoveAsync("t1", applicant, new MoveRequest(status, content), CancellationToken.None);
        Assert.Equal(ErrorKind.Conflict, (await Move("a1", TrialRules.Shipped)).Error?.Kind);   // applied cannot be shipped
        foreach (var a in new[] { "a1", "a2", "a3" }) Assert.True((await Move(a, TrialRules.Selected)).IsSuccess);
        Assert.Contains("seats", (await Move("a5", TrialRules.Selected)).Error?.Message, StringComparison.Ordinal);
        Assert.True((await Move("a4", TrialRules.Rejected)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await Move("a4", TrialRules.Selected)).Error?.Kind);  // no way back
        Assert.True((await Move("a1", TrialRules.Shipped)).IsSuccess);
        Assert.True((await Move("a2", TrialRules.Shipped)).IsSuccess);
        Assert.Equal("content_id", (await Move("a1", TrialRules.Posted, "nope")).Error?.Path);
        Assert.Equal("content_id", (await Move("a1", TrialRules.Posted)).Error?.Path);
        var posted = await Move("a1", TrialRules.Posted, "B");
        Assert.Equal(("posted", "B"), (posted.Value.Status, posted.Value.ContentId));
        Assert.Equal(ErrorKind.NotFound, (await Move("ghost", TrialRules.Selected)).Error?.Kind);
        Assert.Equal("status", (await Move("a2", "approved")).Error?.Path);

        var list = await trials.ListAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1, 1, 1), (list[0].Applied, list[0].Selected, list[0].Rejected, list[0].Shipped, list[0].Posted));

        var report = (await trials.ReportAsync(null, CancellationToken.None)).Value.Single();
        Assert.Equal((new DateOnly(2026, 5, 25), new DateOnly(2026, 6, 2)), (report.From, report.To));
        Assert.Equal((5, 3, 1, 2, 1), (report.Applications, report.Selected, report.Rejected, report.Shipped, report.Posted));
        Assert.Equal((10_000L, 10_000L, 2L, 40_000L, 5_000L), (report.Cost, report.CostPerPost!.Value, report.AttributedOrders, report.AttributedGmv, report.CostPerAttributedOrder!.Value));
        Assert.Equal(4.0, report.Roi!.Value, 12);
        Assert.Equal((1, 100_000L, 1L, 20_000L, 100_000L), (report.PaidCreatorItems, report.PaidCreatorCost, report.PaidCreatorOrders, report.PaidCreatorGmv, report.PaidCreatorCostPerOrder!.Value));
        Assert.Equal(ErrorKind.NotFound, (await trials.ReportAsync("nope", CancellationToken.None)).Error?.Kind);
    }

    private static readonly Dictionary<string, CreateTrialRequest> Bad = new()
    {
        ["empty id"] = Programme with { TrialId = "" },
        ["spaced id"] = Programme with { TrialId = "a b" },
        ["reserved id"] = Programme with { TrialId = "report" },
        ["blank name"] = Programme with { Name = " " },
        ["no sku"] = Programme with { Sku = null },
        ["no seats"] = Programme with { Seats = 0 },
        ["huge seats"] = Programme with { Seats = long.MaxValue },
        ["negative cost"] = Programme with { UnitCost = -1 },
        ["huge cost"] = Programme with { UnitCost = long.MaxValue },
        ["bad start"] = Programme with { StartsOn = "2026-02-30" },
        ["no end"] = Programme with { EndsOn = null },
        ["end before start"] = Programme with { EndsOn = "2026-05-24" },
    };

    [Theory]
    [InlineData("empty id", "trial_id")]
    [InlineData("spaced id", "trial_id")]
    [InlineData("reserved id", "trial_id")]
    [InlineData("blank name", "name")]
    [InlineData("no sku", "sku")]
    [InlineData("no seats", "seats")]
    [InlineData("huge seats", "seats")]
    [InlineData("negative cost", "unit_cost")]
    [InlineData("huge cost", "unit_cost")]
    [InlineData("bad start", "starts_on")]
    [InlineData("no end", "ends_on")]
    [InlineData("end before start", "ends_on")]
    public async Task Create_Bad_NamesTheField_StoresNothing(string name, string path)
    {
        var request = Bad[name];
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var created = await Handler(store).CreateAsync(request, CancellationToken.None);
        Assert.Equal(path, created.Error?.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_trials"));
    }

    [Fact]
    public async Task Apply_UnknownProgrammeOrKind_IsRefused()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var trials = Handler(store);
        Assert.Equal(ErrorKind.NotFound, (await trials.ApplyAsync("nope", new ApplyRequest("a1", null), CancellationToken.None)).Error?.Kind);
        Assert.True((await trials.CreateAsync(Programme, CancellationToken.None)).IsSuccess);
        Assert.Equal("kind", (await trials.ApplyAsync("t1", new ApplyRequest("a1", "influencer"), CancellationToken.None)).Error?.Path);
        Assert.Equal("applicant_id", (await trials.ApplyAsync("t1", new ApplyRequest(null, null), CancellationToken.None)).Error?.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_trial_applicants"));
    }
}
