using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;
using Flywheel.Customers.Contracts;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using static Flywheel.Customers.Tests.Clv.ClvTestData;

namespace Flywheel.Customers.Tests;

public class CustomerInsightsTests
{
    private static readonly DateOnly End = new(2026, 10, 31);

    /// <summary>Before and around the calibration end, and long after it, when many have lapsed.</summary>
    private static readonly DateOnly[] Days = [End.AddDays(-60), End, End.AddDays(45), End.AddDays(120)];

    /// <summary>
    /// P(alive) the way lifecycle and the p_alive field computed it before the one-pass path: a whole CLV prediction per
    /// customer, each summarising that customer's orders afresh.
    /// </summary>
    private static Func<int, double?> PerCustomer(EventIndex index, ClvFit fit, DateOnly day) =>
        v => ClvService.Predict(index, fit, index.VisitorKeys[v], day).TryGetValue(out var p, out _) ? p.PAlive : null;

    /// <summary>
    /// 150 customers from <see cref="Orders"/>, two without orders, one whose first order is in the middle of the days, and two
    /// who bought every day for 90 days and stopped 10 and 25 days before the calibration end.
    /// </summary>
    private static async Task<(FlywheelStore Store, EventIndex Index, ClvFit Fit)> StoreAsync(string engine)
    {
        var store = await TestStores.OpenAsync(engine);
        await WriteAsync(store, [.. Orders(150, seed: 5), Order("late-1", "late", At(2026, 9, 15), 10_000), Order("late-2", "late", At(2026, 10, 20), 12_000),
            .. Daily("daily-a", End.AddDays(-10)), .. Daily("daily-b", End.AddDays(-25))]);
        await using (var session = await IngestSession.BeginAsync(store, "test", "t", CancellationToken.None))
        {
            session.UpsertCustomer(new CustomerRow { CustomerId = "p1" });
            session.UpsertCustomer(new CustomerRow { CustomerId = "p2" });
            await session.CommitAsync(2, 0, CancellationToken.None);
        }
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        Assert.True((await ClvService.FitAsync(store, index, End, ClvUnit.Week, CancellationToken.None)).IsSuccess);
        // As the server and the CLI see it: read back from the store.
        var fit = (await ClvService.LatestAsync(store, CancellationToken.None))!;
        return (store, index, fit);
    }

    private static IEnumerable<OrderRow> Daily(string customer, DateOnly last) =>
        Enumerable.Range(0, 90).Select(k => last.AddDays(-k)).Select(d => Order($"{customer}-{d:yyyyMMdd}", customer, At(d.Year, d.Month, d.Day), 8_000));

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PAliveAndStages_OnePass_AreThePerCustomerPredictions(string engine)
    {
        var (store, index, fit) = await StoreAsync(engine);
        using var _ = store;
        var insights = new CustomerInsights { Fit = fit };
        var fitMatters = false;
        foreach (var day in Days)
        {
            var before = PerCustomer(index, fit, day);
            var now = insights.PAliveOf(index, day)!;
            var values = insights.PAlives(index, day)!;
            Assert.Equal(index.VisitorCount, values.Length);
            for (var v = 0; v < index.VisitorCount; v++)
            {
                Assert.Equal(before(v), now(v)); // exactly: the same summary and the same closed form
                Assert.Equal(before(v) ?? double.NaN, values[v]);
            }

            var expected = LifecycleEngine.Run(index, day, before);
            Assert.Equal(expected, LifecycleEngine.Run(index, day, now));
            Assert.Equal(Sorted(expected), Sorted(insights.Stages(index, day).Values));
            fitMatters |= !expected.Select(s => s.Stage).SequenceEqual(LifecycleEngine.Run(index, day).Select(s => s.Stage));

            using var service = new LifecycleService(store);
            var refresh = await service.RefreshAsync(index, day, record: false, now, CancellationToken.None);
            Assert.Equal(LifecycleStages.All.Select(s => expected.LongCount(x => x.Stage == s)), LifecycleStages.All.Select(s => refresh.Stages[s]));
        }
        Assert.True(fitMatters, "P(alive) should move some customer's stage on one of the days, or this test shows nothing");
        // Daily buyers gone quiet: by rhythm (7 days at least) one is active and one lapsed; P(alive) says otherwise.
        var atEnd = LifecycleEngine.Run(index, End, insights.PAliveOf(index, End)).ToDictionary(s => s.CustomerId);
        var byRhythm = LifecycleEngine.Run(index, End).ToDictionary(s => s.CustomerId);
        Assert.Equal((LifecycleStages.Active, LifecycleStages.AtRisk), (byRhythm["daily-a"].Stage, atEnd["daily-a"].Stage));
        Assert.Equal((LifecycleStages.Lapsed, LifecycleStages.Churned), (byRhythm["daily-b"].Stage, atEnd["daily-b"].Stage));
        Assert.False(ClvService.Predict(index, fit, "p1", End).IsSuccess);
        Assert.True(double.IsNaN(insights.PAlives(index, End)![index.FindVisitor("p1")]));
        Assert.True(double.IsNaN(insights.PAlives(index, End.AddDays(-60))![index.FindVisitor("late")]));
        Assert.False(double.IsNaN(insights.PAlives(index, End)![index.FindVisitor("late")]));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Clvs_OnePass_AreThePerCustomerPredictions_AndRfmAveragesThem(string engine)
    {
        var (store, index, fit) = await StoreAsync(engine);
        using var _ = store;
        var insights = new CustomerInsights { Fit = fit };
        var predicted = 0;
        foreach (var day in Days)
        {
            var all = insights.Clvs(index, day)!;
            Assert.Equal(index.VisitorCount, all.Length);
            for (var v = 0; v < index.VisitorCount; v++)
            {
                long? expected = index.IsCustomer[v] && ClvService.Predict(index, fit, index.VisitorKeys[v], day).TryGetValue(out var p, out var __) ? p.Clv : null;
                Assert.Equal(expected, all[v]); // the same summary and the same series: exactly
                if (expected is not null) predicted++;
            }
            Assert.Same(all, insights.Clvs(index, day)); // cached for the index, day and fit
        }
        Assert.True(predicted > 0, "no customer had a prediction: this test shows nothing");
        // RFM's average CLV per segment is the mean of those predictions.
        var rfm = Flywheel.Customers.Features.Insights.RfmQuestion.Run(
            Flywheel.Customers.Features.Insights.RfmQuestion.Check(new Flywheel.Customers.Features.Insights.RfmInput(End.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), null, null, null, null)).Value,
            index, End, Flywheel.Customers.Features.Insights.RfmQuestion.ClvOf(insights, index)).Value;
        var clvAtEnd = insights.Clvs(index, End)!;
        foreach (var segment in rfm.Result.Segments)
        {
            var values = rfm.Result.Scores.Where(x => x.Segment == segment.Segment).Select(x => clvAtEnd[x.Visitor]).OfType<long>().ToList();
            long? expected = values.Count == 0 ? null : (values.Sum() * 2 + values.Count) / (values.Count * 2L);
            Assert.Equal(expected, segment.AverageClv);
        }
        Assert.Contains(rfm.Result.Segments, x => x.AverageClv is not null);
        Assert.Null(new CustomerInsights().Clvs(index, End)); // without a fit: none
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PAliveField_OverTheWholeIndexAndOverAnother_IsThePerCustomerPrediction(string engine)
    {
        var (store, index, fit) = await StoreAsync(engine);
        using var _ = store;
        var profiles = await ProfileTable.LoadAsync(store, CancellationToken.None);
        // A second build of the same store: an evaluation over it looks its customers up in the whole index by id.
        var other = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        foreach (var evaluated in new[] { index, other })
        {
            var insights = new CustomerInsights(() => index) { Fit = fit };
            var fields = FieldRegistry.CreateDefault();
            insights.RegisterFields(fields);
            var data = new SegmentData(profiles, evaluated);
            foreach (var day in Days)
            {
                var before = PerCustomer(index, fit, day);
                var now = new DateTimeOffset(day.Year, day.Month, day.Day, 12, 0, 0, TimeSpan.FromHours(8));
                IEnumerable<string> Where(Func<double, bool> holds) =>
                    profiles.CustomerIds.Where(id => index.FindVisitor(id) is var v and >= 0 && before(v) is { } p && holds(p));
                var stages = LifecycleEngine.Run(index, day, before);
                foreach (var (text, expected) in new (string, IEnumerable<string>)[]
                         {
                             ("p_alive < 0.5", Where(p => p < 0.5)),
                             ("p_alive >= 0.5", Where(p => p >= 0.5)),
                             ("p_alive = 1", Where(p => p == 1)),
                             ("lifecycle_stage = \"at_risk\"", stages.Where(s => s.Stage == LifecycleStages.AtRisk).Select(s => s.CustomerId)),
                             ("lifecycle_stage = \"churned\"", stages.Where(s => s.Stage == LifecycleStages.Churned).Select(s => s.CustomerId)),
                         })
                {
                    Assert.True(SegmentRule.TryCompile(text, fields, out var rule, out var error), error?.ToString());
                    Assert.Equal(expected.Order(StringComparer.Ordinal), SegmentEvaluator.Evaluate(rule, data, now).CustomerIds.Order(StringComparer.Ordinal));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Caches_FollowANewFit(string engine)
    {
        var (store, index, weeks) = await StoreAsync(engine);
        using var _ = store;
        var insights = new CustomerInsights();
        Assert.Null(insights.PAlives(index, End));
        var unfitted = insights.Stages(index, End.AddDays(45));
        Assert.All(unfitted.Values, s => Assert.Null(s.PAlive));

        insights.Fit = weeks;
        var first = insights.PAlives(index, End)!;
        Assert.Same(first, insights.PAlives(index, End)); // cached
        var stages = insights.Stages(index, End.AddDays(45));
        Assert.Contains(stages.Values, s => s.PAlive is not null); // the stages cached before the fit are not reused after it
        Assert.Equal(Sorted(LifecycleEngine.Run(index, End.AddDays(45), PerCustomer(index, weeks, End.AddDays(45)))), Sorted(stages.Values));

        var days = (await ClvService.FitAsync(store, index, End.AddDays(-30), ClvUnit.Day, CancellationToken.None)).Value;
        insights.Fit = days;
        var second = insights.PAlives(index, End)!;
        Assert.NotSame(first, second);
        var before = PerCustomer(index, days, End);
        for (var v = 0; v < index.VisitorCount; v++) Assert.Equal(before(v) ?? double.NaN, second[v]);
        Assert.Equal(Sorted(LifecycleEngine.Run(index, End.AddDays(45), PerCustomer(index, days, End.AddDays(45)))),
            Sorted(insights.Stages(index, End.AddDays(45)).Values));
    }

    private static List<LifecycleState> Sorted(IEnumerable<LifecycleState> states) => [.. states.OrderBy(s => s.CustomerId, StringComparer.Ordinal)];
}
