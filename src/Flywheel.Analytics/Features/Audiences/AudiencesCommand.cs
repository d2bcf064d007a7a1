using Flywheel.Hosting.Cli;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Flywheel.Analytics.Audiences;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Analytics.Storage;

namespace Flywheel.Analytics.Features.Audiences;

/// <summary>
/// <c>flywheel audiences list|show NAME|export NAME [--out FILE]|delete NAME</c>: saved audiences (made by
/// <c>report funnel --save-audience</c>). list and show print tables unless <c>--format csv|json</c>; export writes the
/// members as CSV (a <c>customer_id</c> column) unless <c>--format json</c>, since an export is meant for another tool.
/// A bad or unknown name exits 2. JSON shapes: <see cref="AudienceJson"/>.
/// </summary>
internal static class AudiencesCommand
{
    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("audiences", "Saved audiences: customers to target, e.g. who added to cart and did not pay");
        command.Subcommands.Add(List(cli));
        command.Subcommands.Add(Show(cli));
        command.Subcommands.Add(Export(cli));
        command.Subcommands.Add(Delete(cli));
        return command;
    }

    private static Option<string> Format(string fallback, params string[] allowed)
    {
        var format = new Option<string>("--format") { Description = string.Join(", ", allowed), DefaultValueFactory = _ => fallback };
        format.AcceptOnlyFromAmong(allowed);
        return format;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The audience's name (see audiences list)" };

    private static Command List(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var format = Format("text", "text", "csv", "json");
        var command = new Command("list", "List the audiences: kind, members, anonymous visitors left out, refreshed") { format };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var audiences = await AudienceStore.ListAsync(store, ct);
                switch (parse.GetValue(format))
                {
                    case "json": await console.Out.WriteLineAsync(AudienceJson.WriteList(audiences)); break;
                    case "csv": await console.Out.WriteAsync(Csv(audiences, withDefinition: false)); break;
                    default: await console.Out.WriteAsync(Table(audiences)); break;
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = NameArgument();
        var format = Format("text", "text", "csv", "json");
        var command = new Command("show", "One audience: counts, times and the definition that produced it") { name, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!Parse(parse.GetValue(name), out var audienceName, out var bad)) return await BadAsync(console, bad!);
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (await AudienceStore.GetAsync(store, audienceName, ct) is not { } audience) return await MissingAsync(console, audienceName);
                switch (parse.GetValue(format))
                {
                    case "json": await console.Out.WriteLineAsync(AudienceJson.WriteAudience(audience)); break;
                    case "csv": await console.Out.WriteAsync(Csv([audience], withDefinition: true)); break;
                    default: await console.Out.WriteAsync(Details(audience)); break;
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = NameArgument();
        var output = new Option<string?>("--out") { Description = "Write to this file (replaced only once the export is complete) instead of stdout" };
        var format = Format("csv", "csv", "json");
        var command = new Command("export", "The members' customer ids, in code-point order") { name, output, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!Parse(parse.GetValue(name), out var audienceName, out var bad)) return await BadAsync(console, bad!);
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (await AudienceStore.GetAsync(store, audienceName, ct) is null) return await MissingAsync(console, audienceName);
                var json = parse.GetValue(format) == "json";
                if (parse.GetValue(output) is not { } path)
                {
                    await WriteMembersAsync(console.Out, store, audienceName, json, ct);
                    return ExitCodes.Ok;
                }
                var partial = path + ".partial";
                long count;
                await using (var file = new StreamWriter(partial, append: false, new UTF8Encoding(false)))
                    count = await WriteMembersAsync(file, store, audienceName, json, ct);
                File.Move(partial, path, overwrite: true);
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {count:N0} members of {audienceName} to {path}"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = NameArgument();
        var command = new Command("delete", "Delete an audience and its members") { name };
        command.SetAction(async (parse, ct) =>
        {
            if (!Parse(parse.GetValue(name), out var audienceName, out var bad)) return await BadAsync(console, bad!);
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
                if (!await AudienceStore.DeleteAsync(store, audienceName, ct)) return await MissingAsync(console, audienceName);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool Parse(string? text, out AudienceName name, out Error? error)
    {
        var parsed = AudienceName.Parse(text);
        name = parsed.IsSuccess ? parsed.Value : default;
        error = parsed.Error;
        return parsed.IsSuccess;
    }

    private static async Task<int> BadAsync(CliConsole console, Error error)
    {
        await CliContext.WriteErrorAsync(console, error);
        return ExitCodes.BadInput;
    }

    private static Task<int> MissingAsync(CliConsole console, AudienceName name) =>
        BadAsync(console, Error.NotFound("name", $"there is no audience named '{name}' (see flywheel audiences list)"));

    private static async Task<long> WriteMembersAsync(TextWriter output, FlywheelStore store, AudienceName name, bool json, CancellationToken ct)
    {
        long count = 0;
        if (json)
        {
            var members = new List<string>();
            await foreach (var member in AudienceStore.AllMembersAsync(store, name, null, ct)) members.Add(member);
            await output.WriteLineAsync(AudienceJson.WriteMembers(name.Value, members, null));
            return members.Count;
        }
        await output.WriteAsync("customer_id\n");
        await foreach (var member in AudienceStore.AllMembersAsync(store, name, null, ct))
        {
            await output.WriteAsync(CsvField(member) + "\n");
            count++;
        }
        return count;
    }

    private static string Table(IReadOnlyList<StoredAudience> audiences)
    {
        if (audiences.Count == 0)
            return "No audiences yet 暂无人群. Save one: flywheel report funnel --steps ... --save-audience NAME --dropped-after N\n";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{"name 名称",-24}{"kind 类型",-18}{"members 人数",14}{"anonymous 匿名",16}  {"refreshed 刷新 (UTC)",-22}title 标题\n");
        foreach (var a in audiences)
            text.Append(CultureInfo.InvariantCulture,
                $"{a.Name,-24}{a.Kind,-18}{a.MemberCount,14:N0}{a.AnonymousCount,16:N0}  {AudienceJson.Time(a.RefreshedAt),-22}{a.Title}\n");
        return text.ToString();
    }

    private static string Details(StoredAudience a)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{a.Name}{(a.Title is null ? "" : " — " + a.Title)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"kind 类型",-22}{a.Kind}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"members 人数",-22}{a.MemberCount:N0}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"anonymous 匿名",-22}{a.AnonymousCount:N0} (qualified too, not members: anonymous visitors cannot be targeted)\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"created 创建",-22}{AudienceJson.Time(a.CreatedAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"refreshed 刷新",-22}{AudienceJson.Time(a.RefreshedAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"definition 定义",-22}{Describe(a)}\n");
        return text.ToString();
    }

    /// <summary>A funnel drop-off definition in words; any other kind as its stored JSON.</summary>
    private static string Describe(StoredAudience a)
    {
        if (a.Kind != FunnelAudience.Kind || !AudienceJson.ReadFunnelDefinition(a.Definition).TryGetValue(out var d, out _)) return a.Definition;
        var range = d.From is null && d.To is null ? "" : $", first step {d.From:yyyy-MM-dd}..{d.To:yyyy-MM-dd}";
        var k = d.DroppedAfter;
        return string.Create(CultureInfo.InvariantCulture,
            $"funnel {string.Join(" → ", d.Steps.Select(s => s.Label))}, window {Window(d.WindowSeconds)}, mode {AudienceJson.ModeName(d.Mode)}{range}; " +
            $"reached step {k} ({d.Steps[k - 1].Label}) but not step {k + 1} ({d.Steps[k].Label})");
    }

    /// <summary>The window as --window takes it: 7d, 12h, 30m or 45s.</summary>
    private static string Window(int seconds) => seconds switch
    {
        _ when seconds % 86400 == 0 => $"{seconds / 86400}d",
        _ when seconds % 3600 == 0 => $"{seconds / 3600}h",
        _ when seconds % 60 == 0 => $"{seconds / 60}m",
        _ => $"{seconds}s",
    };

    private static string Csv(IEnumerable<StoredAudience> audiences, bool withDefinition)
    {
        var text = new StringBuilder("name,title,kind,members,anonymous,created_at,refreshed_at" + (withDefinition ? ",definition" : "") + "\n");
        foreach (var a in audiences)
            text.Append(CultureInfo.InvariantCulture,
                $"{a.Name},{CsvField(a.Title ?? "")},{CsvField(a.Kind)},{a.MemberCount},{a.AnonymousCount},{AudienceJson.Time(a.CreatedAt)},{AudienceJson.Time(a.RefreshedAt)}{(withDefinition ? "," + CsvField(a.Definition) : "")}\n");
        return text.ToString();
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
