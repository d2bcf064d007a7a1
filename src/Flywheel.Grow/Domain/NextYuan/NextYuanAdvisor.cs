using System.Globalization;

namespace Flywheel.Grow.Domain.NextYuan;

/// <summary>A channel's recent weeks: spend and attributed GMV in fen, oldest week first.</summary>
internal sealed record ChannelWeeks(string Channel, IReadOnlyList<long> Spend, IReadOnlyList<long> Gmv);

/// <summary>What the advice says about a channel.</summary>
internal static class Verdict
{
    public const string Add = "add";
    public const string Hold = "hold";
    public const string Cut = "cut";
    public const string CannotTell = "cannot_tell";
}

/// <summary>
/// The advice for one channel. Spend and GMV are per week, in fen. <see cref="Curve"/> is null and the marginal ROI absent when
/// the data cannot tell (<see cref="Reason"/> says why); such a channel keeps its current spend in the reallocation.
/// </summary>
internal sealed record ChannelAdvice(string Channel, long CurrentSpend, long MaxWeeklySpend, int WeeksWithSpend, long AttributedGmv,
    ResponseCurve? Curve, double? MarginalRoi, double? MarginalRoiLow, double? MarginalRoiHigh, string Verdict, string Reason,
    long SuggestedSpend, long? ExpectedGmvNow, long? ExpectedGmvSuggested);

/// <summary>
/// The whole advice: each channel with spend, the weekly budget spread over them and the GMV change the fitted curves expect.
/// <see cref="EqualisedMarginalRoi"/> is the marginal ROI at which the budget left after the undetermined channels runs out
/// across the determined ones (null when no curve is determined).
/// </summary>
internal sealed record NextYuanAdvice(long Budget, long CurrentTotalSpend, long SuggestedTotalSpend, long Unallocated, double? EqualisedMarginalRoi,
    long ExpectedGmvChange, IReadOnlyList<ChannelAdvice> Channels, IReadOnlyList<string> Notes);

/// <summary>
/// Where the next yuan goes (pure). Per channel with spend: fit <see cref="ResponseCurve"/> to its weeks; call it determined
/// only when the data can say something (enough weeks, spend that varied, a tight fit, elasticity in (0, 1]); then give each
/// determined channel's marginal ROI at its current weekly spend with a 95% interval, and spread the budget so that marginal ROI
/// is equal across the determined channels (never above <see cref="CapFactor"/>× a channel's largest observed week), keeping the
/// undetermined ones at their current spend.
/// </summary>
internal static class NextYuanAdvisor
{
    /// <summary>Weeks with both spend and attributed GMV a curve needs.</summary>
    public const int MinWeeks = 6;
    /// <summary>Smallest standard deviation of ln(weekly spend): about 10% week-to-week variation.</summary>
    public const double MinLogSpendSd = 0.10;
    /// <summary>Largest standard error of the elasticity b for a curve to count as determined.</summary>
    public const double MaxElasticitySe = 0.30;
    /// <summary>No channel is given more than this multiple of its largest observed weekly spend: the curve is not known beyond.</summary>
    public const double CapFactor = 1.5;

    public static NextYuanAdvice Advise(IReadOnlyList<ChannelWeeks> channels, long? budget)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var notes = new List<string>();
        var rows = new List<Row>();
        foreach (var ch in channels)
        {
            if (ch.Spend.Count != ch.Gmv.Count) throw new ArgumentException($"channel {ch.Channel}: spend and GMV have different week counts", nameof(channels));
            long total = 0, max = 0, gmv = 0;
            for (var w = 0; w < ch.Spend.Count; w++)
            {
                total = checked(total + ch.Spend[w]);
                gmv = checked(gmv + ch.Gmv[w]);
                max = Math.Max(max, ch.Spend[w]);
            }
            if (total <= 0) continue;
            var current = (long)(((Int128)total * 2 + ch.Spend.Count) / ((Int128)ch.Spend.Count * 2));
            var weeksWithSpend = ch.Spend.Count(s => s > 0);
            var pairs = ch.Spend.Zip(ch.Gmv, (s, g) => (s, g)).ToList();
            var curve = ResponseCurve.Fit(pairs);
            var reason = Undetermined(pairs, curve, ch.Spend.Count);
            rows.Add(new Row(ch.Channel, current, max, weeksWithSpend, gmv, reason is null ? curve : null, reason));
        }

        var currentTotal = rows.Aggregate(0L, (sum, r) => checked(sum + r.Current));
        var weekly = budget ?? currentTotal;
        var undetermined = rows.Where(r => r.Curve is null).ToList();
        var determined = rows.Where(r => r.Curve is not null).ToList();
        var keep = undetermined.Aggregate(0L, (sum, r) => checked(sum + r.Current));
        var suggested = new Dictionary<string, long>(StringComparer.Ordinal);
        double? lambda = null;
        if (keep > weekly)
        {
            // The budget does not even cover the channels we cannot judge: shrink them in proportion, give nothing to the rest.
            foreach (var r in undetermined) suggested[r.Channel] = (long)((Int128)r.Current * weekly / keep);
            foreach (var r in determined) suggested[r.Channel] = 0;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"the budget ({Yuan(weekly)} a week) is below what the channels the data cannot judge spend now ({Yuan(keep)}): they are cut in proportion and the rest get nothing; the expected GMV change leaves the cut channels out"));
        }
        else
        {
            var curves = determined.Select(r => (r.Curve!, Cap: (long)Math.Floor(r.Max * CapFactor))).ToList();
            var (spends, level) = Allocate(curves, weekly - keep);
            for (var i = 0; i < determined.Count; i++) suggested[determined[i].Channel] = spends[i];
            foreach (var r in undetermined) suggested[r.Channel] = r.Current;
            lambda = determined.Count > 0 ? level : null;
        }
        if (determined.Count == 0)
            notes.Add("no channel's curve is determined: the data cannot tell where the next yuan does most, so every channel keeps its spend");

        var advice = new List<ChannelAdvice>(rows.Count);
        double change = 0;
        foreach (var r in rows)
        {
            var next = suggested[r.Channel];
            if (r.Curve is not { } curve)
            {
                advice.Add(new ChannelAdvice(r.Channel, r.Current, r.Max, r.WeeksWithSpend, r.Gmv, null, null, null, null, Verdict.CannotTell, r.Reason!,
                    next, null, null));
                continue;
            }
            var (estimate, low, high) = curve.MarginalRoiInterval(r.Current);
            var (verdict, why) = Judge(low, high, lambda);
            double now = curve.Gmv(r.Current), then = curve.Gmv(next);
            change += then - now;
            advice.Add(new ChannelAdvice(r.Channel, r.Current, r.Max, r.WeeksWithSpend, r.Gmv, curve, Finite(estimate), Finite(low), Finite(high), verdict, why,
                next, Fen(now), Fen(then)));
        }
        var suggestedTotal = suggested.Values.Aggregate(0L, (sum, s) => checked(sum + s));
        return new NextYuanAdvice(weekly, currentTotal, suggestedTotal, weekly - suggestedTotal, lambda is { } l && double.IsFinite(l) ? l : null,
            (long)Math.Round(change, MidpointRounding.AwayFromZero),
            [.. advice.OrderBy(a => a.Verdict == Verdict.CannotTell).ThenByDescending(a => a.MarginalRoi ?? 0).ThenBy(a => a.Channel, StringComparer.Ordinal)], notes);
    }

    private sealed record Row(string Channel, long Current, long Max, int WeeksWithSpend, long Gmv, ResponseCurve? Curve, string? Reason);

    /// <summary>Why the data cannot tell, or null when the curve is determined.</summary>
    internal static string? Undetermined(IReadOnlyList<(long Spend, long Gmv)> weeks, ResponseCurve? curve, int totalWeeks)
    {
        var usable = weeks.Count(w => w.Spend > 0 && w.Gmv > 0);
        if (usable < MinWeeks)
            return $"only {usable} of the {totalWeeks} weeks had both spend and attributed GMV: a curve needs at least {MinWeeks}";
        if (curve is null || curve.LogSpendSd < MinLogSpendSd)
            return string.Create(CultureInfo.InvariantCulture,
                $"weekly spend hardly varied (standard deviation of log spend {curve?.LogSpendSd ?? 0:0.000}, below {MinLogSpendSd:0.00}): the weeks cannot separate what spend did from what the channel does anyway");
        if (curve.SeElasticity > MaxElasticitySe)
            return string.Create(CultureInfo.InvariantCulture,
                $"the fit is poor: the elasticity b = {curve.Elasticity:0.00} has a standard error of {curve.SeElasticity:0.00} (above {MaxElasticitySe:0.00}; R² {curve.RSquared:0.00})");
        if (curve.Elasticity <= 0)
            return string.Create(CultureInfo.InvariantCulture,
                $"GMV did not rise with spend in these weeks (b = {curve.Elasticity:0.00} ≤ 0): something other than spend moved it");
        if (curve.Elasticity > 1)
            return string.Create(CultureInfo.InvariantCulture,
                $"GMV grew faster than spend (b = {curve.Elasticity:0.00} > 1): no saturation is visible yet, so a marginal ROI would be an extrapolation");
        return null;
    }

    private static (string Verdict, string Reason) Judge(double low, double high, double? level)
    {
        if (level is not { } l || !double.IsFinite(l))
            return (Verdict.Hold, "no level to compare with");
        var at = l.ToString("0.00", CultureInfo.InvariantCulture);
        var range = string.Create(CultureInfo.InvariantCulture, $"{low:0.00}–{high:0.00}");
        if (low > l) return (Verdict.Add, $"the next yuan here returns {range} (95%), above the {at} of the marginal yuan of the reallocated budget");
        if (high < l) return (Verdict.Cut, $"the next yuan here returns {range} (95%), below the {at} of the marginal yuan of the reallocated budget");
        return (Verdict.Hold, $"the next yuan here returns {range} (95%), which includes the {at} of the marginal yuan of the reallocated budget");
    }

    /// <summary>
    /// Spreads <paramref name="budget"/> fen over the curves so their marginal ROIs are equal (or each stops at its cap), in whole
    /// fen; the sum never exceeds the budget. Gives the spends and the common marginal ROI (with every cap reached: the lowest
    /// marginal ROI at a cap).
    /// </summary>
    internal static (long[] Spends, double Level) Allocate(IReadOnlyList<(ResponseCurve Curve, long Cap)> curves, long budget)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var n = curves.Count;
        var spends = new long[n];
        if (n == 0 || budget <= 0) return (spends, n == 0 ? double.NaN : curves.Max(c => c.Curve.MarginalRoi(1)));
        long capSum = 0;
        foreach (var (_, cap) in curves) capSum = checked(capSum + Math.Max(0, cap));
        if (capSum <= budget)
        {
            for (var i = 0; i < n; i++) spends[i] = Math.Max(0, curves[i].Cap);
            var lowest = curves.Where(c => c.Cap > 0).Select(c => c.Curve.MarginalRoi(c.Cap)).DefaultIfEmpty(double.NaN).Min();
            return (spends, lowest);
        }

        // ln of the marginal ROI: ln k + (b − 1)·ln s with ln k = ln b + α − b·x̄. Bisection on ln λ: the total spend falls as λ rises.
        var lnK = curves.Select(c => Math.Log(c.Curve.Elasticity) + c.Curve.Alpha - c.Curve.Elasticity * c.Curve.MeanLogSpend).ToArray();
        double lo = double.MaxValue, hi = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            var b = curves[i].Curve.Elasticity;
            if (curves[i].Cap > 0) lo = Math.Min(lo, lnK[i] + (b - 1) * Math.Log(curves[i].Cap));
            hi = Math.Max(hi, lnK[i]); // the marginal ROI at 1 fen
        }
        lo -= 1;
        hi += 1;
        for (var iteration = 0; iteration < 200 && hi - lo > 1e-12; iteration++)
        {
            var mid = (lo + hi) / 2;
            if (Total(mid) > budget) lo = mid;
            else hi = mid;
        }
        long used = 0;
        for (var i = 0; i < n; i++)
        {
            spends[i] = SpendAt(i, hi);
            used += spends[i];
        }
        // Whole fen and near-linear curves (b close to 1 jumps from nothing to its cap) leave a rest: give it to the best marginal ROIs.
        var rest = budget - used;
        foreach (var i in Enumerable.Range(0, n).OrderByDescending(i => curves[i].Curve.MarginalRoi(Math.Max(1, spends[i]))))
        {
            if (rest <= 0) break;
            var room = Math.Max(0, curves[i].Cap - spends[i]);
            var add = Math.Min(room, rest);
            spends[i] += add;
            rest -= add;
        }
        return (spends, Math.Exp(hi));

        long SpendAt(int i, double lnLambda)
        {
            var (curve, cap) = curves[i];
            if (cap <= 0) return 0;
            var b = curve.Elasticity;
            double lnS;
            if (1 - b < 1e-9) lnS = lnK[i] > lnLambda ? double.PositiveInfinity : double.NegativeInfinity;
            else lnS = (lnK[i] - lnLambda) / (1 - b);
            if (lnS >= Math.Log(cap)) return cap;
            return lnS < 0 ? 0 : Math.Min(cap, (long)Math.Floor(Math.Exp(lnS)));
        }

        double Total(double lnLambda)
        {
            double sum = 0;
            for (var i = 0; i < n; i++) sum += SpendAt(i, lnLambda);
            return sum;
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static long? Fen(double value) => double.IsFinite(value) && Math.Abs(value) < 9e18 ? (long)Math.Round(value, MidpointRounding.AwayFromZero) : null;

    private static string Yuan(long fen) => (fen / 100m).ToString("¥#,0.00", CultureInfo.InvariantCulture);
}
