using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;
using Flywheel.Customers.Storage;
using Flywheel.Tests;
using static Flywheel.Customers.Tests.Clv.ClvTestData;

namespace Flywheel.Customers.Tests.Clv;

public class ClvServiceTests
{
    private static readonly DateOnly End = new(2026, 10, 31);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FitAsync_StoresTheFit_AndLatestAsyncReadsItBack(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await WriteAsync(store, Orders(150, seed: 5));
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);

        var fit = (await ClvService.FitAsync(store, index, End, ClvUnit.Week, CancellationToken.None)).Value;
        Assert.Equal(150, fit.Customers);
        Assert.Equal(150, fit.BgNbd.Customers);
        Assert.NotNull(fit.GammaGamma);
        Assert.Equal(clock.GetUtcNow(), fit.FittedAt);
        Assert.Equal(1, await TestStores.CountAsync(store, "clv_fits"));
        Assert.Equal(fit.BgNbd.LogLikelihood, Convert.ToDouble(await TestStores.ScalarAsync(store, "SELECT log_likelihood FROM clv_fits")));

        var latest = await ClvService.LatestAsync(store, CancellationToken.None);
        Assert.NotNull(latest);
        Assert.Equal(fit with { }, latest with { }, new FitComparer());

        clock.Advance(TimeSpan.FromHours(1));
        var days = (await ClvService.FitAsync(store, index, End.AddDays(-30), ClvUnit.Day, CancellationToken.None)).Value;
        var newest = (await ClvService.LatestAsync(store, CancellationToken.None))!;
        Assert.True(newest.Id > fit.Id);
        Assert.Equal((End.AddDays(-30), ClvUnit.Day, days.Customers), (newest.CalibrationEnd, newest.Unit, newest.Customers));
        // α is in periods: a fit in days has α about seven times the fit in weeks.
        Assert.InRange(newest.BgNbd.Model.Alpha / fit.BgNbd.Model.Alpha, 4, 10);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task FitAsync_TooFewCustomers_OrCalibrationEndAfterToday_IsInvalidAndStoresNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await WriteAsync(store, Orders(40, seed: 5));
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);

        var few = await ClvService.FitAsync(store, index, End, ClvUnit.Week, CancellationToken.None);
        Assert.Equal("customers", few.Error!.Path);
        Assert.Contains("40 customers to fit on; a fit needs at least 50 (customers with a paid order on or before 2026-10-31)", few.Error.Message, StringComparison.Ordinal);

        var future = await ClvService.FitAsync(store, index, new DateOnly(2026, 11, 2), ClvUnit.Week, CancellationToken.None);
        Assert.Equal("calibration_end", future.Error!.Path); // the test clock's today is 2026-11-01

        Assert.Equal(0, await TestStores.CountAsync(store, "clv_fits"));
        Assert.Null(await ClvService.LatestAsync(store, CancellationToken.None));
    }

    [Fact]
    public async Task Predict_UsesTheCustomersOrdersUpToAsOf_AndNamesBadInput()
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        await WriteAsync(store, [.. Orders(150, seed: 5), Order("late", "late", At(2026, 10, 31), 10_000)]);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);
        var fit = (await ClvService.FitAsync(store, index, End, ClvUnit.Week, CancellationToken.None)).Value;

        var customer = ClvSummaries.Of(index, "c0001", End, ClvUnit.Week)!.Value;
        var p = ClvService.Predict(index, fit, "c0001", End, 52, 0.1).Value;
        Assert.Equal(customer, p.Summary);
        Assert.Equal(fit.Model.ExpectedPurchases(customer.X, customer.Tx, customer.T, 52), p.ExpectedPurchases);
        Assert.Equal(fit.Model.PAlive(customer.X, customer.Tx, customer.T), p.PAlive);
        Assert.Equal(ClvModel.ToMinorUnits(fit.Model.Clv(customer, 52, 0.1)), p.Clv);
        Assert.True(p.Clv > 0);
        Assert.Equal(fit.Id, p.FitId);

        Assert.Equal("not_found", ClvService.Predict(index, fit, "nobody", End).Error!.Code);
        Assert.Equal("customer", ClvService.Predict(index, fit, "late", End.AddDays(-1)).Error!.Path);
        Assert.Equal(0, ClvService.Predict(index, fit, "late", End).Value.Summary.T);
        Assert.Equal("horizon", ClvService.Predict(index, fit, "c0001", End, 0).Error!.Path);
        Assert.Equal("horizon", ClvService.Predict(index, fit, "c0001", End, 600).Error!.Path);
        Assert.Equal("discount_rate", ClvService.Predict(index, fit, "c0001", End, 52, -0.1).Error!.Path);
    }

    /// <summary>Fits compare by value except for their records' reference-typed members.</summary>
    private sealed class FitComparer : IEqualityComparer<ClvFit>
    {
        public bool Equals(ClvFit? a, ClvFit? b) =>
            a is not null && b is not null && (a.Id, a.FittedAt, a.CalibrationEnd, a.Unit, a.Customers) == (b.Id, b.FittedAt, b.CalibrationEnd, b.Unit, b.Customers)
            && a.BgNbd == b.BgNbd && a.GammaGamma == b.GammaGamma;

        public int GetHashCode(ClvFit obj) => obj.Id.GetHashCode();
    }
}
