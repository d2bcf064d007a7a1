using System.Globalization;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Experiments.Domain.Results;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Experiments.Storage;
using Flywheel.Primitives;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Experiments.Features.Results;

/// <summary>An estimate with its interval and p-value (null numbers are undefined; <see cref="Reason"/> says why).</summary>
internal sealed record EffectView(double? Effect, double? CiLow, double? CiHigh, double? PValue, string? Reason);

/// <summary>The Bayesian verdict: chance to beat control, expected loss (in the metric's unit), credible interval of the relative uplift.</summary>
internal sealed record BayesianView(double? ChanceToWin, double? ExpectedLoss, double? CiLow, double? CiHigh, string? Reason);

/// <summary>The sequential test over the daily looks: the always-valid p-value and interval now, whether significant and since which day.</summary>
internal sealed record SequentialView(double? PValue, double? CiLow, double? CiHigh, bool Significant, string? ValidSince, string? Reason);

/// <summary>One variant against control on one metric; <see cref="Verdict"/> is better, worse or inconclusive (see <see cref="ExperimentResultsHandler"/>).</summary>
internal sealed record VariantComparison(string Variant, EffectView Absolute, EffectView? Relative, double? AdjustedPValue, double? AdjustedCiLow, double? AdjustedCiHigh,
    BayesianView Bayesian, SequentialView Sequential, double? CupedVarianceReduction, string Verdict);

/// <summary>An arm's value of a metric as observed (before CUPED): a rate, a mean per unit or a ratio.</summary>
internal sealed record ArmValue(string Variant, long Units, double? Value);

/// <summary>One daily look: the day and each variant's always-valid p-value so far.</summary>
internal sealed record LookView(string Date, IReadOnlyDictionary<string, double?> PValues);

/// <summary>A metric's results: names, kind, role (primary, secondary, guardrail), display format, arms, comparisons and daily looks.</summary>
internal sealed record MetricResult(string Name, string LabelZh, string LabelEn, string Kind, string Role, bool HigherIsBetter, string Format, string Definition,
    IReadOnlyList<ArmValue> Arms, IReadOnlyList<VariantComparison> Results, IReadOnlyList<LookView> Looks, double? CupedTheta, string? CupedReason, string MultipleComparisons);

/// <summary>A variant's exposure: weight, the share it should get and the share it got of the units counted.</summary>
internal sealed record VariantExposure(string Key, string Name, int Weight, bool Holdout, long Units, double ExpectedShare, double? Share);

/// <summary>The sample-ratio check: chi-square p-value of the units per variant against the weights, and whether it warns (p &lt; 0.001).</summary>
internal sealed record SrmView(double? PValue, bool Warning, string? Reason);

/// <summary>Incrementality of one treated variant over the holdout.</summary>
internal sealed record ImpactView(string Variant, long TreatedUnits, AmountInterval Orders, AmountInterval Gmv, long Discount, long IncrementalDiscount,
    double? GmvPerYuan, double? GmvPerYuanLow, double? GmvPerYuanHigh, string? Reason);

/// <summary>An experiment's results page: what it is, as of when, the exposure and SRM check, every metric, and the incrementality against its holdout.</summary>
internal sealed record ExperimentResultsView(string Key, string Name, string? Hypothesis, string Status, string Unit, DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt,
    string AsOf, bool AsOfIsDataEnd, int WindowDays, double Confidence, string Control, string? HoldoutVariant, IReadOnlyList<VariantExposure> Variants, SrmView Srm,
    IReadOnlyList<MetricResult> Metrics, IReadOnlyList<ImpactView> Impact, long UnitsExposedAfterAsOf, long UnitsWithoutCustomer);

/// <summary>
/// An experiment's results: its exposures and units' outcomes (<see cref="ExperimentMetrics"/>) judged by the stats engine
/// (<see cref="ExperimentStatistics"/>) per metric — each variant against the control (the first variant), Holm-adjusted when
/// there are several — with the sequential test run over the daily looks (<see cref="SequentialTest.OverLooks"/>, so its p-value is
/// the running minimum of the always-valid p-values and the day it became valid is the first look at or under α). A variant is
/// "better" or "worse" only when both the Holm-adjusted fixed-horizon p-value and the always-valid p-value are at or under α
/// (one may peek daily and still trust the verdict), in the metric's good direction; otherwise "inconclusive". With a holdout, each
/// treated variant's incremental orders and GMV over it and GMV per yuan of extra discount (<see cref="Impact"/>).
/// </summary>
internal sealed class ExperimentResultsHandler(ExperimentStore experiments, FlywheelStore store)
{
    /// <summary>Results as of the end of <paramref name="asOf"/> (a day in the store's time zone), or of the end of the data when null.</summary>
    public async Task<Result<ExperimentResultsView>> HandleAsync(string key, DateOnly? asOf, CancellationToken ct)
    {
        if (await experiments.GetAsync(key, ct) is not { } stored) return Error.NotFound("key", $"no experiment '{key}'");
        var definition = stored.Definition;
        long? asOfMs = null;
        if (asOf is { } day)
        {
            if (day.Year is < 1971 or > 2086) return Error.Invalid("as_of", $"as_of {day:yyyy-MM-dd} is outside 1971..2086");
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? DateTimeZone.Utc;
            asOfMs = LocalDate.FromDateOnly(day).PlusDays(1).AtStartOfDayInZone(zone).ToInstant().ToUnixTimeMilliseconds() - 1;
        }
        var shown = Shown(definition);
        var holdout = definition.Holdout;
        var read = new List<string>(shown.Select(s => s.Metric));
        if (holdout is not null)
            foreach (var needed in new[] { MetricCatalog.Orders, MetricCatalog.Revenue, MetricCatalog.Discount })
                if (!read.Contains(needed)) read.Add(needed);
        var variants = definition.Variants.Select(v => v.Key).ToList();
        var measured = await ExperimentMetrics.ReadAsync(store, new MetricsRequest(key, definition.Unit, definition.WindowDays, read, asOfMs, Daily: true, variants), ct);
        if (!measured.TryGetValue(out var data, out var error)) return error;

        // Only the defined variants are judged (an exposure of a variant removed from a draft is left out), in the definition's order.
        var weights = definition.Variants.Select(v => (double)v.Weight).ToList();
        var byMetric = data.Metrics.ToDictionary(m => m.Metric.Key, StringComparer.Ordinal);
        var metrics = new List<MetricResult>();
        SrmView? srm = null;
        foreach (var (name, role) in shown)
        {
            var m = byMetric[name];
            var arms = Arms(m.Arms, variants);
            var analysis = ExperimentStatistics.Analyze(new AnalysisRequest(m.Metric.Kind, arms, definition.Confidence, weights));
            if (!analysis.TryGetValue(out var result, out error)) return error;
            srm ??= new SrmView(result.SrmPValue, result.SrmWarning, result.SrmReason);
            metrics.Add(Metric(m, role, arms, result, definition, variants));
        }
        var totals = definition.Variants.Select(v => data.Totals.FirstOrDefault(t => t.Variant == v.Key)).ToList();
        var units = totals.Sum(t => t?.Units ?? 0);
        var exposure = definition.Variants.Select((v, i) => new VariantExposure(v.Key, v.Name, v.Weight, v.Holdout, totals[i]?.Units ?? 0,
            (double)v.Weight / definition.TotalWeight, units > 0 ? (double)(totals[i]?.Units ?? 0) / units : null)).ToList();
        var impact = holdout is null ? [] : Incrementality(definition, holdout, byMetric, data.Totals);
        var zoneId = DateTimeZoneProviders.Tzdb.GetZoneOrNull(data.TimeZone) ?? DateTimeZone.Utc;
        var asOfDay = Instant.FromUnixTimeMilliseconds(data.AsOf).InZone(zoneId).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new ExperimentResultsView(definition.Key, definition.Name, definition.Hypothesis, stored.Status, definition.Unit, Time(stored.StartedAt), Time(stored.StoppedAt),
            asOfDay, data.AsOfIsDataEnd, definition.WindowDays, definition.Confidence, definition.Control.Key, holdout?.Key, exposure,
            srm ?? new SrmView(null, false, "no metric"), metrics, impact, data.UnitsExposedAfterAsOf, data.UnitsWithoutCustomer);
    }

    /// <summary>The metrics shown, each once, in the definition's order: primary, secondary, guardrails.</summary>
    private static List<(string Metric, string Role)> Shown(ExperimentDefinition definition)
    {
        var shown = new List<(string Metric, string Role)> { (definition.Metrics.Primary, "primary") };
        foreach (var s in definition.Metrics.Secondary)
            if (!shown.Any(x => x.Metric == s)) shown.Add((s, "secondary"));
        foreach (var g in definition.Metrics.Guardrails)
            if (!shown.Any(x => x.Metric == g)) shown.Add((g, "guardrail"));
        return shown;
    }

    /// <summary>The arms of the defined variants in their order (an arm nobody reached is an empty arm).</summary>
    private static List<ArmSummary> Arms(IReadOnlyList<ArmSummary> arms, IReadOnlyList<string> variants) =>
        variants.Select(v => arms.FirstOrDefault(a => a.Variant == v) ?? new ArmSummary(v, 0, 0, 0)).ToList();

    private static MetricResult Metric(MetricArms m, string role, List<ArmSummary> arms, AnalysisResult result, ExperimentDefinition definition, List<string> variants)
    {
        var kind = m.Metric.Kind;
        var alpha = 1 - definition.Confidence;
        var comparisons = new List<VariantComparison>();
        // A look counts once both arms have MinUnitsPerLook units (and, for a ratio, as many in the denominator): the normal
        // approximation under the always-valid p-value does not hold for a handful of units, whose variance can be near zero.
        var looks = m.Looks.Select(l => (l.Day, Arms: Arms(l.Arms, variants))).ToList();
        var paths = new Dictionary<string, (SequentialPath Path, List<DateOnly> Days)>(StringComparer.Ordinal);
        for (var i = 1; i < variants.Count; i++)
        {
            var index = i;
            var eligible = looks.Where(l => Enough(l.Arms[0], kind) && Enough(l.Arms[index], kind)).ToList();
            paths[variants[i]] = (SequentialTest.OverLooks(eligible.Select(l => (l.Arms[0], l.Arms[index])).ToList(), kind, definition.Confidence),
                eligible.Select(l => l.Day).ToList());
        }
        foreach (var r in result.Results)
        {
            var (path, days) = paths[r.Variant];
            var last = path.Looks.Count > 0 ? path.Looks[^1] : null;
            var sequential = last is null
                ? new SequentialView(null, null, null, false, null, $"no daily look yet with {MinUnitsPerLook} units in both arms / 两组样本均达到 {MinUnitsPerLook} 后才开始序贯检验")
                : new SequentialView(last.PValue, last.CiLow, last.CiHigh, last.Significant,
                    path.FirstSignificantLook is { } first ? days[first].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null, last.Reason);
            var significant = r.AdjustedPValue is { } adjusted && adjusted <= alpha && sequential.Significant;
            var verdict = !significant || r.Absolute.Effect is not { } effect || effect == 0 ? "inconclusive"
                : (effect > 0) == m.Metric.HigherIsBetter ? "better" : "worse";
            comparisons.Add(new VariantComparison(r.Variant, View(r.Absolute), r.Relative.Effect is null ? null : View(r.Relative),
                r.AdjustedPValue, r.AdjustedCiLow, r.AdjustedCiHigh,
                Bayesian(r.Bayesian, m.Metric.HigherIsBetter),
                sequential, r.CupedVarianceReduction, verdict));
        }
        var lookViews = m.Looks.Select(l => new LookView(l.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            paths.ToDictionary(p => p.Key, p => p.Value.Days.IndexOf(l.Day) is var d and >= 0 ? p.Value.Path.Looks[d].PValue : null, StringComparer.Ordinal))).ToList();
        var values = arms.Select(a => new ArmValue(a.Variant, a.Units, ArmEstimate.Of(a, kind).Estimate?.Mean ?? (kind == MetricKind.Binomial || a.Units == 0 ? null : a.Mean))).ToList();
        return new MetricResult(m.Metric.Key, m.Metric.NameZh, m.Metric.NameEn, kind.ToString().ToLowerInvariant(), role, m.Metric.HigherIsBetter, Format(m.Metric.Key),
            m.Metric.Definition, values, comparisons, lookViews, result.CupedTheta, result.CupedReason, result.MultipleComparisons);
    }

    /// <summary>Units (and ratio denominators) both arms need before a daily look enters the sequential test.</summary>
    public const int MinUnitsPerLook = 30;

    private static bool Enough(ArmSummary arm, MetricKind kind) =>
        arm.Units >= MinUnitsPerLook && (kind != MetricKind.Ratio || arm.DenominatorSum >= MinUnitsPerLook);

    /// <summary>How the console shows a metric's values: rates as percentages, fen as money, the rest as numbers.</summary>
    private static string Format(string metric) => metric switch
    {
        MetricCatalog.Conversion or MetricCatalog.RefundRate or MetricCatalog.UnsubscribeRate => "percent",
        MetricCatalog.Revenue or MetricCatalog.Aov or MetricCatalog.Discount => "money",
        _ => "number",
    };

    /// <summary>
    /// The Bayesian verdict in the metric's good direction: for a lower-is-better metric (refund rate) winning is being lower, so the
    /// chance to win is 1 − P(variant &gt; control) and the variant's risk is E[max(variant − control, 0)] (the engine's control risk).
    /// </summary>
    private static BayesianView Bayesian(BayesianEstimate b, bool higherIsBetter) => higherIsBetter
        ? new(b.ChanceToWin, b.ExpectedLoss, b.CiLow, b.CiHigh, b.Reason)
        : new(b.ChanceToWin is { } c ? 1 - c : null, b.ControlExpectedLoss, b.CiLow, b.CiHigh, b.Reason);

    private static EffectView View(EffectEstimate e) => new(e.Effect, e.CiLow, e.CiHigh, e.PValue, e.Reason);

    /// <summary>Each treated variant against the holdout: orders and revenue per unit compared (no CUPED), scaled by <see cref="Impact"/>.</summary>
    private static List<ImpactView> Incrementality(ExperimentDefinition definition, VariantDefinition holdout, Dictionary<string, MetricArms> byMetric, IReadOnlyList<ArmTotals> totals)
    {
        var order = new List<string> { holdout.Key };
        order.AddRange(definition.Variants.Where(v => v.Key != holdout.Key).Select(v => v.Key));
        var orders = ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Mean, Arms(byMetric[MetricCatalog.Orders].Arms, order), definition.Confidence, UseCuped: false));
        var gmv = ExperimentStatistics.Analyze(new AnalysisRequest(MetricKind.Mean, Arms(byMetric[MetricCatalog.Revenue].Arms, order), definition.Confidence, UseCuped: false));
        if (!orders.TryGetValue(out var o, out _) || !gmv.TryGetValue(out var g, out _)) return [];
        var held = totals.FirstOrDefault(t => t.Variant == holdout.Key);
        var result = new List<ImpactView>();
        for (var i = 0; i < o.Results.Count; i++)
        {
            var variant = o.Results[i].Variant;
            var treated = totals.FirstOrDefault(t => t.Variant == variant);
            var oa = o.Results[i].Absolute;
            var ga = g.Results[i].Absolute;
            if (treated is null || held is null || oa.Effect is null || ga.Effect is null)
            {
                result.Add(new ImpactView(variant, treated?.Units ?? 0, new AmountInterval(0, 0, 0), new AmountInterval(0, 0, 0), treated?.Discount ?? 0, 0, null, null, null,
                    oa.Reason ?? ga.Reason ?? "no units in the variant or the holdout / 实验组或对照组没有样本"));
                continue;
            }
            var x = Impact.Of(variant, treated.Units, (oa.Effect.Value, oa.CiLow ?? oa.Effect.Value, oa.CiHigh ?? oa.Effect.Value),
                (ga.Effect.Value, ga.CiLow ?? ga.Effect.Value, ga.CiHigh ?? ga.Effect.Value), treated.Discount, held.Discount, held.Units);
            result.Add(new ImpactView(variant, x.TreatedUnits, x.Orders, x.Gmv, x.Discount, x.IncrementalDiscount, x.GmvPerYuanOfDiscount, x.GmvPerYuanLow, x.GmvPerYuanHigh, x.Reason));
        }
        return result;
    }

    private static DateTimeOffset? Time(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
}
