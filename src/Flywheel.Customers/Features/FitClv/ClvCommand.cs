using Flywheel.Hosting.Output;
using Flywheel.Analytics.Contracts;
using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Customers.Clv;
using Flywheel.Primitives;

namespace Flywheel.Customers.Features.FitClv;

/// <summary>
/// <c>flywheel clv fit [--summary FILE.csv] [--calibration-end DATE] [--unit week|day] [--format text|json]</c> and
/// <c>flywheel clv predict (--customer ID [--horizon 52] [--discount-rate 0.1] [--as-of DATE] | --r R --alpha A --a A --b B
/// --x X --t-x TX --T T --t t) [--format text|json]</c>. The JSON shapes are contracts (<see cref="ClvJson"/>): a fit of a
/// summary file prints <c>{"bgnbd": {"r", "alpha", "a", "b", "log_likelihood", …}, "gamma_gamma": {"p", "q", "gamma",
/// "customers", …}}</c>; a point prediction <c>{"expected_purchases", "p_alive"}</c>.
/// </summary>
internal static class ClvCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("clv", "Customer lifetime value 客户终身价值: BG/NBD purchases and P(alive), Gamma-Gamma spend");
        command.Subcommands.Add(Fit(cli));
        command.Subcommands.Add(Predict(cli));
        return command;
    }

    private static Option<string> Format() => new("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };

    private static Command Fit(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var summary = new Option<string?>("--summary")
        {
            Description = "Fit a customer-summary CSV (ID,frequency,recency,T or ID,x,t_x,T, optionally monetary_value or zbar) instead of the store; nothing is stored",
        };
        var calibrationEnd = new Option<string?>("--calibration-end") { Description = "Last day of orders the fit sees (yyyy-MM-dd, the store's time zone); default: today" };
        var unit = new Option<string>("--unit") { Description = "Time unit of t_x, T and alpha: week or day", DefaultValueFactory = _ => "week" };
        var format = Format();
        var command = new Command("fit", "Fit BG/NBD and Gamma-Gamma by maximum likelihood on the store's paid orders (and store the fit), or on a summary CSV")
        {
            summary, calibrationEnd, unit, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text or json");
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(summary) is { } path)
            {
                if (parse.GetValue(calibrationEnd) is not null)
                    return await CliContext.BadAsync(console, "--calibration-end", "applies to fits of the store; a summary file's times are already cut at its calibration end");
                return await FitSummaryAsync(console, path, json);
            }
            if (ClvUnits.Parse(parse.GetValue(unit)) is not { } clvUnit)
                return await CliContext.BadAsync(console, "--unit", $"'{parse.GetValue(unit)}' is not week or day");
            if (!CliContext.TryDay(parse.GetValue(calibrationEnd), out var end))
                return await CliContext.BadAsync(console, "--calibration-end", "takes a date as yyyy-MM-dd");

            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var index = await EventIndexes.BuildAsync(store, null, ct);
                var fitted = await ClvService.FitAsync(store, index, end ?? LocalCalendar.DataEnd(index, time), clvUnit, ct);
                if (!fitted.TryGetValue(out var fit, out var error))
                    return await CliContext.BadAsync(console, error.Path == "calibration_end" ? "--calibration-end" : error.Path ?? "fit", error.Message);
                await console.Out.WriteLineAsync(json ? ClvJson.WriteFit(fit) : Text(fit, await StoreCurrency.ReadAsync(store, ct)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> FitSummaryAsync(CliConsole console, string path, bool json)
    {
        var read = SummaryCsv.Read(path);
        if (!read.TryGetValue(out var file, out var readError))
        {
            await CliContext.WriteErrorAsync(console, readError);
            return ExitCodes.BadInput;
        }
        // A file is fitted as given, however small (the caller chose it); only a store fit, which others will use, has a floor.
        if (file.Customers.Count < ClvFitter.DefaultMinCustomers)
            await console.Error.WriteLineAsync($"warning: {file.Customers.Count} customers: estimates from fewer than {ClvFitter.DefaultMinCustomers} are loose");
        var purchases = ClvFitter.FitBgNbd(file.Customers, minCustomers: 1);
        if (!purchases.TryGetValue(out var bgnbd, out var error))
        {
            await console.Error.WriteLineAsync($"error: {path}: {error.Message}");
            return ExitCodes.BadInput;
        }
        GammaGammaFit? gammaGamma = null;
        if (file.HasSpend)
        {
            var spend = ClvFitter.FitGammaGamma(file.Customers, minCustomers: 1);
            if (spend.IsSuccess) gammaGamma = spend.Value;
            else await console.Error.WriteLineAsync($"warning: no Gamma-Gamma fit: {spend.Error!.Message}");
        }
        if (!bgnbd.Converged) await console.Error.WriteLineAsync("warning: the BG/NBD fit stopped at its evaluation limit; the data barely constrain some parameter");
        await console.Out.WriteLineAsync(json ? ClvJson.WriteFit(bgnbd, gammaGamma) : Text(bgnbd, gammaGamma, null, Currency.Cny));
        return ExitCodes.Ok;
    }

    private static Command Predict(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var customer = new Option<string?>("--customer") { Description = "A customer id: predict from the latest stored fit (flywheel clv fit)" };
        var horizon = new Option<int>("--horizon") { Description = "Periods ahead, in the fit's unit (52 weeks by default)", DefaultValueFactory = _ => ClvService.DefaultHorizon };
        var discount = new Option<double>("--discount-rate") { Description = "Annual discount rate for CLV (0.1 = 10 %)", DefaultValueFactory = _ => ClvService.DefaultDiscountRate };
        var asOf = new Option<string?>("--as-of") { Description = "Count the customer's orders up to this day (yyyy-MM-dd); default: today" };
        var r = new Option<double?>("--r") { Description = "BG/NBD r (with --alpha, --a, --b, --x, --t-x, --T, --t: predict for given parameters and summary)" };
        var alpha = new Option<double?>("--alpha") { Description = "BG/NBD alpha, in the unit of the times" };
        var a = new Option<double?>("--a") { Description = "BG/NBD a" };
        var b = new Option<double?>("--b") { Description = "BG/NBD b" };
        var x = new Option<int?>("--x") { Description = "Repeat purchases" };
        var tx = new Option<double?>("--t-x") { Description = "Time of the last purchase since the first (0 when x = 0)" };
        var age = new Option<double?>("--T") { Description = "Time from the first purchase to the end of the observation" };
        var t = new Option<double?>("--t") { Description = "Periods ahead to predict purchases for" };
        var format = Format();
        var command = new Command("predict", "Expected purchases, P(alive) and CLV of a customer (or of a given x, t_x, T under given parameters)")
        {
            customer, horizon, discount, asOf, r, alpha, a, b, x, tx, age, t, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text or json");
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(customer) is not { } id)
            {
                var values = new (string Name, double? Value)[]
                {
                    ("--r", parse.GetValue(r)), ("--alpha", parse.GetValue(alpha)), ("--a", parse.GetValue(a)), ("--b", parse.GetValue(b)),
                    ("--x", parse.GetValue(x)), ("--t-x", parse.GetValue(tx)), ("--T", parse.GetValue(age)), ("--t", parse.GetValue(t)),
                };
                if (values.FirstOrDefault(v => v.Value is null) is { Name: { } missing })
                    return await CliContext.BadAsync(console, missing, "is required without --customer (give --customer ID, or all of --r --alpha --a --b --x --t-x --T --t)");
                if (PointProblem(parse.GetValue(r)!.Value, parse.GetValue(alpha)!.Value, parse.GetValue(a)!.Value, parse.GetValue(b)!.Value,
                        parse.GetValue(x)!.Value, parse.GetValue(tx)!.Value, parse.GetValue(age)!.Value, parse.GetValue(t)!.Value) is { } problem)
                    return await CliContext.BadAsync(console, problem.Option, problem.Message);
                var model = new BgNbdModel(parse.GetValue(r)!.Value, parse.GetValue(alpha)!.Value, parse.GetValue(a)!.Value, parse.GetValue(b)!.Value);
                var (xv, txv, tv, ahead) = (parse.GetValue(x)!.Value, parse.GetValue(tx)!.Value, parse.GetValue(age)!.Value, parse.GetValue(t)!.Value);
                var expected = model.ExpectedPurchases(xv, txv, tv, ahead);
                var alive = model.PAlive(xv, txv, tv);
                await console.Out.WriteLineAsync(json ? ClvJson.WritePoint(expected, alive) : string.Create(CultureInfo.InvariantCulture,
                    $"expected purchases 预期购买次数 (next {ahead:0.##} periods)  {expected:0.0000}\nP(alive) 存活概率  {alive:0.0000}"));
                return ExitCodes.Ok;
            }

            if (!CliContext.TryDay(parse.GetValue(asOf), out var asOfDay))
                return await CliContext.BadAsync(console, "--as-of", "takes a date as yyyy-MM-dd");
            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var fit = await ClvService.LatestAsync(store, ct);
                if (fit is null)
                    return await CliContext.BadAsync(console, "--customer", "the store has no CLV fit yet: run 'flywheel clv fit' first");
                var index = await EventIndexes.BuildAsync(store, null, ct);
                var today = ClvService.Today(index.TimeZone, time);
                if (asOfDay > today)
                    return await CliContext.BadAsync(console, "--as-of", $"{asOfDay:yyyy-MM-dd} is after today ({today:yyyy-MM-dd})");
                // Without --as-of, the prediction starts where the data ends (stated in its as_of field).
                var asOf = asOfDay ?? LocalCalendar.DataEnd(index, time);
                var predicted = ClvService.Predict(index, fit, id, asOf, parse.GetValue(horizon), parse.GetValue(discount));
                if (!predicted.TryGetValue(out var prediction, out var error))
                    return await CliContext.BadAsync(console, "--" + (error.Path ?? "customer").Replace('_', '-'), error.Message);
                await console.Out.WriteLineAsync(json ? ClvJson.WritePrediction(prediction) : Text(prediction, await StoreCurrency.ReadAsync(store, ct)));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The option at fault in a point prediction's inputs, or null when they are usable.</summary>
    private static (string Option, string Message)? PointProblem(double r, double alpha, double a, double b, int x, double tx, double age, double t)
    {
        foreach (var (name, value) in new[] { ("--r", r), ("--alpha", alpha), ("--a", a), ("--b", b) })
            if (!(value > 0) || !double.IsFinite(value)) return (name, $"{value.ToString(CultureInfo.InvariantCulture)} is not a parameter > 0");
        if (x < 0) return ("--x", $"{x} is negative");
        if (!(tx >= 0) || !double.IsFinite(tx)) return ("--t-x", $"{tx.ToString(CultureInfo.InvariantCulture)} is not a time ≥ 0");
        if (!(age >= tx) || !double.IsFinite(age)) return ("--T", $"{age.ToString(CultureInfo.InvariantCulture)} is before --t-x {tx.ToString(CultureInfo.InvariantCulture)} (or not a number)");
        if (x == 0 && tx != 0) return ("--t-x", "must be 0 when --x is 0: t_x is the time from the first purchase to the last");
        if (!(t >= 0) || !double.IsFinite(t)) return ("--t", $"{t.ToString(CultureInfo.InvariantCulture)} is not a time ≥ 0");
        return null;
    }

    private static string Text(ClvFit fit, Currency currency) =>
        string.Create(CultureInfo.InvariantCulture,
            $"CLV fit 客户终身价值模型 #{fit.Id}  calibration end 观察截止 {fit.CalibrationEnd:yyyy-MM-dd}  unit 单位 {ClvUnits.Name(fit.Unit)}  fitted 拟合于 {fit.FittedAt:yyyy-MM-dd HH:mm}Z\n")
        + Text(fit.BgNbd, fit.GammaGamma, fit.Unit, currency);

    /// <summary>The fitted parameters; a store's mean spend in <paramref name="currency"/> (a summary file's, without a unit, is a plain number).</summary>
    private static string Text(BgNbdFit bgnbd, GammaGammaFit? gammaGamma, ClvUnit? unit, Currency currency)
    {
        var text = new StringBuilder();
        var per = unit is { } u ? ClvUnits.Name(u) : "period";
        text.Append(CultureInfo.InvariantCulture, $"BG/NBD purchases 购买次数模型  customers 客户 {bgnbd.Customers:N0}{(bgnbd.Converged ? "" : "  (not converged 未收敛)")}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("r")}{bgnbd.Model.R,14:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("alpha (" + per + "s)")}{bgnbd.Model.Alpha,14:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("a")}{bgnbd.Model.A,14:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("b")}{bgnbd.Model.B,14:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("log-likelihood 对数似然")}{bgnbd.LogLikelihood,14:0.00}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("mean rate r/α 平均购买率")}{bgnbd.Model.R / bgnbd.Model.Alpha,14:0.0000} per {per}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("mean drop-out a/(a+b) 流失率")}{bgnbd.Model.A / (bgnbd.Model.A + bgnbd.Model.B),14:0.0000} per purchase\n");
        if (gammaGamma is null)
        {
            text.Append("Gamma-Gamma spend 客单价模型  - (no spend fitted 未拟合)\n");
            return text.ToString().TrimEnd('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"Gamma-Gamma spend 客单价模型  customers 客户 {gammaGamma.Customers:N0}{(gammaGamma.Converged ? "" : "  (not converged 未收敛)")}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("p")}{gammaGamma.Model.P,14:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("q")}{gammaGamma.Model.Q,14:0.0000}\n");
        if (unit is null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Pad("gamma")}{gammaGamma.Model.Gamma,14:0.0000}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {Pad("mean spend 平均每次消费")}{gammaGamma.Model.MeanSpend,14:0.00}\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Pad("gamma (fen 分)")}{gammaGamma.Model.Gamma,14:0.00}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {Pad("mean spend 平均每次消费")}{Yuan(ClvModel.ToMinorUnits(gammaGamma.Model.MeanSpend), currency),14}\n");
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string Text(ClvPrediction p, Currency currency)
    {
        var unit = ClvUnits.Name(p.Unit);
        var c = p.Summary;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"CLV 客户终身价值  customer 客户 {p.CustomerId}  as of 截至 {p.AsOf:yyyy-MM-dd}  fit 模型 #{p.FitId}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("repeat purchases 复购次数 x")}{c.X}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("recency 最近购买 t_x")}{c.Tx:0.##} {unit}s after the first purchase\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("age 客龄 T")}{c.T:0.##} {unit}s\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("P(alive) 存活概率")}{p.PAlive:0.0000}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("expected purchases 预期购买")}{p.ExpectedPurchases:0.0000} in the next {p.Horizon} {unit}s\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("expected spend 预期客单价")}{Yuan(p.ExpectedSpend, currency)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {Pad("CLV 终身价值")}{Yuan(p.Clv, currency)} (discounted 折现 at {p.DiscountRate:P1} a year)");
        return text.ToString();
    }

    /// <summary>Pads a label to 28 columns, counting CJK characters as two (they are double width on a terminal).</summary>
    private static string Pad(string label)
    {
        var width = label.Sum(c => c >= '\u2E80' ? 2 : 1);
        return label + new string(' ', Math.Max(1, 28 - width));
    }

    private static string Yuan(long? minor, Currency currency) => minor is { } v ? currency.Symbol + MoneyText.Format(v) : "-";
}
