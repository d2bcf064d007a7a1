using Flywheel.Hosting.Output;
using Flywheel.Hosting.Cli;
using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using Flywheel.Customers;
using Flywheel.Customers.Personas;
using Flywheel.Customers.Profiles;

namespace Flywheel.Customers.Features.Insights;

/// <summary>
/// <c>flywheel persona SEGMENT [--as-of DATE] [--top 5] [--format text|json]</c>: who is in a segment (gender, age,
/// province, city tier, first channel, categories, AOV band, orders, active hours) against all customers, and what sets
/// them apart.
/// </summary>
internal static class PersonaCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var segment = new Argument<string>("segment") { Description = "all, an RFM segment (champions, at_risk …) or group (high_value, potential, churn_risk)" };
        var asOf = new Option<string?>("--as-of") { Description = "Ages and RFM as of this day (yyyy-MM-dd); default: the last day with data" };
        var top = new Option<int>("--top") { Description = "Values to show per dimension (text)", DefaultValueFactory = _ => 5 };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("persona", "Persona 人群画像 of a segment, with the attributes that set it apart (lift)") { segment, asOf, top, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!CliContext.TryDay(parse.GetValue(asOf), out var asOfDay)) return await CliContext.BadAsync(console, "--as-of", "takes a date as yyyy-MM-dd");
            if (parse.GetValue(format) is not ("text" or "json"))
                return await CliContext.BadAsync(console, "--format", $"'{parse.GetValue(format)}' is not text or json");
            if (parse.GetValue(top) < 1) return await CliContext.BadAsync(console, "--top", "must be at least 1");
            var (store, exit) = await cli.OpenStoreAsync(parse, ct);
            if (store is null) return exit;
            using (store)
            {
                var (index, indexExit) = await IndexLoading.LoadAsync(parse, cli, ct);
                if (index is null) return indexExit;
                var profiles = await ProfileTable.LoadAsync(store, ct);
                var day = asOfDay ?? LocalCalendar.DataRange(index, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Last;
                var name = parse.GetValue(segment)!;
                var members = await CustomerSets.ResolveAsync(store, index, name, day, ct);
                if (!members.TryGetValue(out var ids, out var missing)) return await CliContext.BadAsync(console, "segment", missing.Message);
                var currency = await StoreCurrency.ReadAsync(store, ct);
                var persona = PersonaEngine.Run(index, profiles, name, ids, day, currency: currency);
                if (!persona.TryGetValue(out var result, out var empty)) return await CliContext.BadAsync(console, "segment", empty.Message);
                await console.Out.WriteAsync(parse.GetValue(format) == "json" ? PersonaJson.Write(result) + "\n" : PersonaJson.Text(result, parse.GetValue(top), currency));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
