using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;
using Flywheel.Ingestion.Demo;
using Flywheel.Tests;
using Xunit.Abstractions;

namespace Flywheel.Customers.Tests.Clv;

/// <summary>
/// The fit recovers the parameters a demo store was generated from (recorded in its demo_parameters setting). A demo of
/// 3,000 customers over 730 days (about 1,800 buyers, 6,500 orders) builds in a few seconds.
/// </summary>
public class DemoRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fit_OnADemoStore_RecoversTheRecordedBgNbdParameters()
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        await DemoStoreGenerator.GenerateAsync(store, new DemoOptions(Customers: 3000, Days: 730, Seed: 42), clock, null, CancellationToken.None);
        var recorded = DemoParameters.FromJson(await store.GetSettingAsync(DemoStoreGenerator.SettingsKey, "", CancellationToken.None))!;
        Assert.Equal("week", recorded.BgNbd.TimeUnit);
        var index = await EventIndexBuilder.BuildAsync(store, null, CancellationToken.None);

        var data = ClvSummaries.FromIndex(index, DateOnly.ParseExact(recorded.LastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture), ClvUnit.Week);
        var (bgnbd, spend) = ClvService.Fit(data).Value;
        var m = bgnbd.Model;
        var truth = recorded.BgNbd;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"customers {data.Customers.Count}, repeat {data.Customers.Count(c => c.X > 0)}: r {m.R:0.####} α {m.Alpha:0.####} a {m.A:0.####} b {m.B:0.####}; " +
            $"r/α {m.R / m.Alpha:0.####} a/(a+b) {m.A / (m.A + m.B):0.####}; spend p {spend!.Model.P:0.###} q {spend.Model.Q:0.###} γ {spend.Model.Gamma / 100:0.##} yuan, mean {spend.Model.MeanSpend / 100:0.##} yuan"));

        // With ~1,800 buyers of whom a third buy again, the sampling error of r and α is about 10 %, of a and b about
        // 20 % (each on its own; the ridge between a and b is the loosest direction); the tolerances allow about two of
        // those. The mean purchase rate r/α and the mean drop-out probability a/(a+b) are pinned more tightly.
        Assert.Equal(truth.R, m.R, truth.R * 0.20);
        Assert.Equal(truth.Alpha, m.Alpha, truth.Alpha * 0.25);
        Assert.Equal(truth.A, m.A, truth.A * 0.40);
        Assert.Equal(truth.B, m.B, truth.B * 0.40);
        Assert.Equal(truth.R / truth.Alpha, m.R / m.Alpha, truth.R / truth.Alpha * 0.10);
        Assert.Equal(truth.A / (truth.A + truth.B), m.A / (m.A + m.B), truth.A / (truth.A + truth.B) * 0.10);

        // Spend: the demo builds each basket from catalogue products near a Gamma-Gamma target and then discounts it,
        // so realised values do not follow the recorded p, q, γ (their mean is about a fifth above the recorded
        // pγ/(q−1) = 216 yuan). The fit is checked against the realised repeat purchases instead: the model's mean spend
        // pγ/(q−1) is the population mean of a customer's mean spend, which the customers' z̄ estimate; within 5 %.
        var realised = data.Customers.Where(c => c.X > 0 && c.MeanSpend > 0).Average(c => c.MeanSpend);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"realised mean of z̄ {realised / 100:0.##} yuan; recorded model mean {recorded.GammaGamma.P * recorded.GammaGamma.Gamma / (recorded.GammaGamma.Q - 1):0.##} yuan"));
        Assert.Equal(realised, spend.Model.MeanSpend, realised * 0.05);
    }
}
