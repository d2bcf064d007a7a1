using System.Globalization;
using System.Text.Json;
using Flywheel.Experiments.Domain.Statistics;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Features.Analyze;

/// <summary>
/// Reads the analyze document (the CLI contract's file and the body of <c>POST /v1/experiments/analyze</c>) into an
/// <see cref="AnalysisRequest"/>, naming the JSON path of the first problem:
/// <c>{"metric": "binomial"|"mean"|"ratio", "confidence": 0.95, "variants": [...], "sequential_tuning": 5000, "cuped": true}</c>.
/// A variant is <c>{"name", "n", "weight"?}</c> plus, for binomial, <c>"conversions"</c>; for mean, <c>"mean"</c> and <c>"sd"</c> (or the
/// sums <c>"sum"</c> and <c>"sum_squares"</c>); for ratio, <c>"sum"</c>, <c>"sum_squares"</c>, <c>"denominator_sum"</c>,
/// <c>"denominator_sum_squares"</c>, <c>"cross_sum"</c>. Binomial and mean variants may carry a pre-period covariate for CUPED:
/// <c>"covariate_sum"</c>, <c>"covariate_sum_squares"</c>, <c>"covariate_cross_sum"</c> (all three, on every variant). The first
/// variant is control. Unknown fields are refused (a typo would otherwise silently change the answer).
/// </summary>
internal static class AnalyzeInput
{
    public const int MaxVariants = 100;
    public const long MaxUnits = 1_000_000_000_000;
    public const double MaxMagnitude = 1e15;

    private static readonly string[] RootFields = ["metric", "confidence", "variants", "sequential_tuning", "cuped"];
    private static readonly string[] CovariateFields = ["covariate_sum", "covariate_sum_squares", "covariate_cross_sum"];

    public static Result<AnalysisRequest> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Error.Invalid("$", """the document is an object: {"metric": "binomial", "variants": [{"name": "control", "n": 1000, "conversions": 200}, ...]}""");
        foreach (var property in root.EnumerateObject())
            if (Array.IndexOf(RootFields, property.Name) < 0) return Error.Invalid(property.Name, $"unknown field; the document has {string.Join(", ", RootFields)}");

        if (!root.TryGetProperty("metric", out var metricElement) || metricElement.ValueKind != JsonValueKind.String)
            return Error.Invalid("metric", "metric is required: \"binomial\", \"mean\" or \"ratio\"");
        MetricKind kind;
        switch (metricElement.GetString())
        {
            case "binomial": kind = MetricKind.Binomial; break;
            case "mean": kind = MetricKind.Mean; break;
            case "ratio": kind = MetricKind.Ratio; break;
            default: return Error.Invalid("metric", $"unknown metric '{metricElement.GetString()}': \"binomial\", \"mean\" or \"ratio\"");
        }

        var confidence = 0.95;
        if (root.TryGetProperty("confidence", out var c))
        {
            if (!TryNumber(c, out confidence) || !(confidence is >= 0.5 and < 1))
                return Error.Invalid("confidence", "confidence is a number from 0.5 up to (not including) 1, e.g. 0.95");
        }
        var tuning = SequentialTest.DefaultTuning;
        if (root.TryGetProperty("sequential_tuning", out var t))
        {
            if (!TryNumber(t, out tuning) || !(tuning is >= 1 and <= MaxUnits))
                return Error.Invalid("sequential_tuning", "the sequential tuning is the number of units (all arms) at which the sequence is narrowest: 1 to 10^12");
        }
        var cuped = true;
        if (root.TryGetProperty("cuped", out var cu))
        {
            if (cu.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return Error.Invalid("cuped", "cuped is true or false");
            cuped = cu.GetBoolean();
        }

        if (!root.TryGetProperty("variants", out var variants) || variants.ValueKind != JsonValueKind.Array)
            return Error.Invalid("variants", "variants is required: an array of at least two arms, control first");
        var count = variants.GetArrayLength();
        if (count < 2) return Error.Invalid("variants", $"at least two variants are needed (control first, then the ones compared with it); got {count}");
        if (count > MaxVariants) return Error.Invalid("variants", $"at most {MaxVariants} variants; got {count}");

        var arms = new List<ArmSummary>(count);
        var weights = new List<double>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool? weighted = null;
        bool? covariates = null;
        var i = 0;
        foreach (var variant in variants.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"variants[{i}]");
            var arm = Variant(variant, path, kind);
            if (!arm.TryGetValue(out var parsed, out var error)) return error;
            var (summary, weight, hasCovariate) = parsed;
            if (!names.Add(summary.Variant)) return Error.Invalid(path + ".name", $"the name '{summary.Variant}' is used twice");
            if (weighted is { } w && w != weight.HasValue)
                return Error.Invalid(path + ".weight", "give a weight on every variant or on none (none: equal weights)");
            weighted = weight.HasValue;
            if (covariates is { } cv && cv != hasCovariate)
                return Error.Invalid(path + ".covariate_sum", "give the covariate sums on every variant or on none");
            covariates = hasCovariate;
            weights.Add(weight ?? 1);
            arms.Add(summary);
            i++;
        }
        if (weighted == true && !(weights.Sum() > 0)) return Error.Invalid("variants[0].weight", "the weights cannot all be 0");
        return new AnalysisRequest(kind, arms, confidence, weighted == true ? weights : null, tuning, cuped);
    }

    private static Result<(ArmSummary Arm, double? Weight, bool HasCovariate)> Variant(JsonElement variant, string path, MetricKind kind)
    {
        if (variant.ValueKind != JsonValueKind.Object) return Error.Invalid(path, "a variant is an object: {\"name\": \"b\", \"n\": 1000, ...}");
        string[] allowed = kind switch
        {
            MetricKind.Binomial => ["name", "n", "weight", "conversions", .. CovariateFields],
            MetricKind.Mean => ["name", "n", "weight", "mean", "sd", "sum", "sum_squares", .. CovariateFields],
            _ => ["name", "n", "weight", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares", "cross_sum"],
        };
        foreach (var property in variant.EnumerateObject())
            if (Array.IndexOf(allowed, property.Name) < 0)
                return Error.Invalid($"{path}.{property.Name}", $"unknown field for a {kind.ToString().ToLowerInvariant()} metric; a variant has {string.Join(", ", allowed)}");

        if (!variant.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            return Error.Invalid(path + ".name", "name is required: a string");
        var name = nameElement.GetString()!;
        if (TextRules.Name(name, path + ".name") is { } badName) return badName;

        if (!variant.TryGetProperty("n", out var nElement)) return Error.Invalid(path + ".n", "n is required: the number of units in the variant");
        if (!TryInteger(nElement, out var n) || n < 0 || n > MaxUnits) return Error.Invalid(path + ".n", $"n is a whole number from 0 to {MaxUnits:0}");

        double? weight = null;
        if (variant.TryGetProperty("weight", out var w))
        {
            if (!TryNumber(w, out var weightValue) || weightValue < 0 || weightValue > MaxMagnitude)
                return Error.Invalid(path + ".weight", "weight is the arm's expected share of traffic, a number 0 or more (e.g. 50 or 0.5)");
            weight = weightValue;
        }

        ArmSummary arm;
        switch (kind)
        {
            case MetricKind.Binomial:
            {
                if (!variant.TryGetProperty("conversions", out var ce)) return Error.Invalid(path + ".conversions", "conversions is required for a binomial metric");
                if (!TryInteger(ce, out var conversions) || conversions < 0) return Error.Invalid(path + ".conversions", "conversions is a whole number 0 or more");
                if (conversions > n) return Error.Invalid(path + ".conversions", $"conversions ({conversions}) cannot exceed n ({n})");
                arm = ArmSummary.Binomial(name, n, conversions);
                break;
            }
            case MetricKind.Mean when variant.TryGetProperty("mean", out _) || variant.TryGetProperty("sd", out _):
            {
                if (variant.TryGetProperty("sum", out _) || variant.TryGetProperty("sum_squares", out _))
                    return Error.Invalid(path + ".sum", "give either mean and sd or sum and sum_squares, not both");
                var mean = Number(variant, "mean", path, allowNegative: true);
                if (!mean.TryGetValue(out var m, out var e1)) return e1;
                var sd = Number(variant, "sd", path, allowNegative: false);
                if (!sd.TryGetValue(out var s, out var e2)) return e2;
                arm = ArmSummary.FromMeanSd(name, n, m, s);
                break;
            }
            case MetricKind.Mean:
            {
                var sums = Sums(variant, path, n, "sum", "sum_squares");
                if (!sums.TryGetValue(out var v, out var e)) return e;
                arm = new ArmSummary(name, n, v.Sum, v.Squares);
                break;
            }
            default:
            {
                var numerator = Sums(variant, path, n, "sum", "sum_squares");
                if (!numerator.TryGetValue(out var num, out var e1)) return e1;
                var denominator = Sums(variant, path, n, "denominator_sum", "denominator_sum_squares");
                if (!denominator.TryGetValue(out var den, out var e2)) return e2;
                var cross = Number(variant, "cross_sum", path, allowNegative: true);
                if (!cross.TryGetValue(out var x, out var e3)) return e3;
                arm = new ArmSummary(name, n, num.Sum, num.Squares, den.Sum, den.Squares, x);
                break;
            }
        }

        var present = CovariateFields.Count(f => variant.TryGetProperty(f, out _));
        if (present == 0) return (arm, weight, false);
        if (present < CovariateFields.Length)
            return Error.Invalid(path + "." + CovariateFields.First(f => !variant.TryGetProperty(f, out _)), "a covariate needs all three of covariate_sum, covariate_sum_squares and covariate_cross_sum");
        var covariate = Sums(variant, path, n, "covariate_sum", "covariate_sum_squares");
        if (!covariate.TryGetValue(out var cov, out var ce1)) return ce1;
        var crossSum = Number(variant, "covariate_cross_sum", path, allowNegative: true);
        if (!crossSum.TryGetValue(out var xy, out var ce2)) return ce2;
        return (arm with { CovariateSum = cov.Sum, CovariateSumSquares = cov.Squares, CovariateCrossSum = xy }, weight, true);
    }

    /// <summary>A sum and sum of squares, the squares at least sum²/n (Cauchy–Schwarz) up to rounding.</summary>
    private static Result<(double Sum, double Squares)> Sums(JsonElement variant, string path, long n, string sumName, string squaresName)
    {
        var sum = Number(variant, sumName, path, allowNegative: true);
        if (!sum.TryGetValue(out var s, out var e1)) return e1;
        var squares = Number(variant, squaresName, path, allowNegative: false);
        if (!squares.TryGetValue(out var q, out var e2)) return e2;
        if (n == 0 && (s != 0 || q != 0)) return Error.Invalid($"{path}.{sumName}", "a variant with n = 0 has sums of 0");
        if (n > 0 && q < s * s / n * (1 - 1e-9) - 1e-9)
            return Error.Invalid($"{path}.{squaresName}", $"{squaresName} cannot be less than {sumName}²/n: these are not the sums of {n} values");
        return (s, q);
    }

    private static Result<double> Number(JsonElement variant, string name, string path, bool allowNegative)
    {
        if (!variant.TryGetProperty(name, out var element)) return Error.Invalid($"{path}.{name}", $"{name} is required");
        if (!TryNumber(element, out var value) || Math.Abs(value) > MaxMagnitude)
            return Error.Invalid($"{path}.{name}", $"{name} is a number of magnitude at most 10^15");
        if (!allowNegative && value < 0) return Error.Invalid($"{path}.{name}", $"{name} cannot be negative");
        return value;
    }

    private static bool TryNumber(JsonElement element, out double value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool TryInteger(JsonElement element, out long value)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Number) return false;
        if (element.TryGetInt64(out value)) return true;
        // 1000.0 and 1e3 are whole numbers too.
        if (element.TryGetDouble(out var d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) <= MaxUnits)
        {
            value = (long)d;
            return true;
        }
        return false;
    }
}
