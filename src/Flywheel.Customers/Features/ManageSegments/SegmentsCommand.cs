using Flywheel.Hosting.Cli;
using Flywheel.Analytics.Contracts;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Customers.Segments;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Customers.Features.ManageSegments;

/// <summary>
/// <c>flywheel segments list|add NAME --rule R [--title T]|show NAME|members NAME [--limit N]|export NAME [--out FILE]|delete NAME|
/// check --rule R|refresh|fields</c>. The rule language is in docs/segments.md. Memberships are computed when a segment is
/// added and kept current by a running server; <c>refresh</c> recomputes them without one. A rule that does not parse or
/// type-check exits 2 with the line, column and an excerpt, before the store is opened.
/// </summary>
internal static class SegmentsCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("segments", "Saved customer segments: rules over profiles, orders and events, with memberships kept current");
        command.Subcommands.Add(List(cli));
        command.Subcommands.Add(Add(cli));
        command.Subcommands.Add(Show(cli));
        command.Subcommands.Add(Members(cli));
        command.Subcommands.Add(Export(cli));
        command.Subcommands.Add(Delete(cli));
        command.Subcommands.Add(Check(cli));
        command.Subcommands.Add(Refresh(cli));
        command.Subcommands.Add(Fields(console));
        return command;
    }

    private static Option<string> Format() => new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" }.AcceptOnly("text", "json");

    private static Option<string> AcceptOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The segment's name (a slug such as repeat-buyers)" };

    private static Option<string?> RuleOption() => new("--rule") { Description = "The rule, e.g. 'orders(90d) >= 2 and consent(\"sms\")' (docs/segments.md)" };

    private static Command List(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var format = Format();
        var command = new Command("list", "List the segments with their member counts") { format };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                var segments = await SegmentStore.ListAsync(store, ct);
                if (parse.GetValue(format) == "json")
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(new { Segments = segments.Select(s => Summary(s, null)) }, Json));
                    return ExitCodes.Ok;
                }
                foreach (var s in segments)
                    await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{s.Name,-24} {s.MemberCount,10:N0}  {s.Title ?? "-"}  {s.Rule}"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Add(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = NameArgument();
        var rule = RuleOption();
        var title = new Option<string?>("--title") { Description = "A title for people, e.g. 复购高潜" };
        var command = new Command("add", "Save a segment and compute its members") { name, rule, title };
        command.SetAction(async (parse, ct) =>
        {
            var fields = Contracts.SegmentRules.AllFields();
            // Everything is checked before the store is opened: bad input writes nothing and needs no store.
            if (SegmentNames.Check(parse.GetValue(name)) is { } badName) return await BadAsync(console, "name", badName.Message);
            if (SegmentNames.CheckTitle(parse.GetValue(title)) is { } badTitle) return await BadAsync(console, "--title", badTitle.Message);
            if (await CompileAsync(console, parse.GetValue(rule), fields) is not { } compiled) return ExitCodes.BadInput;
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                using var segments = Service(store, fields, time, console);
                var created = await segments.CreateAsync(parse.GetValue(name)!, parse.GetValue(title), compiled, ct);
                if (!created.TryGetValue(out var stored, out var error)) return await BadAsync(console, error.Path == "rule" ? "--rule" : "name", error.Message);
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{stored.Name}: {stored.MemberCount:N0} members"));
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
        var format = Format();
        var command = new Command("show", "A segment's rule, member count and a sample of members") { name, format };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (await SegmentStore.GetAsync(store, parse.GetValue(name)!, ct) is not { } s) return await NoSuchAsync(console, parse.GetValue(name)!);
                var sample = await SegmentStore.MembersAsync(store, s.Name, 10, null, ct);
                if (parse.GetValue(format) == "json")
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(Summary(s, sample), Json));
                    return ExitCodes.Ok;
                }
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"name       {s.Name}\n");
                text.Append(CultureInfo.InvariantCulture, $"title      {s.Title ?? "-"}\n");
                text.Append(CultureInfo.InvariantCulture, $"rule       {s.Rule}\n");
                text.Append(CultureInfo.InvariantCulture, $"members    {s.MemberCount:N0}\n");
                text.Append(CultureInfo.InvariantCulture, $"created    {s.CreatedAt:yyyy-MM-dd HH:mm:ss}Z\n");
                text.Append(CultureInfo.InvariantCulture, $"updated    {s.UpdatedAt:yyyy-MM-dd HH:mm:ss}Z\n");
                text.Append(CultureInfo.InvariantCulture, $"refreshed  {(s.RefreshedAt is { } r ? r.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-")}\n");
                text.Append(CultureInfo.InvariantCulture, $"sample     {(sample.Count == 0 ? "-" : string.Join(", ", sample))}\n");
                await console.Out.WriteAsync(text.ToString());
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Members(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var name = NameArgument();
        var limit = new Option<int>("--limit") { Description = "At most this many (default 100; 0 for all)", DefaultValueFactory = _ => 100 };
        var command = new Command("members", "Member customer ids, one a line, in id order") { name, limit };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(limit) < 0) return await BadAsync(console, "--limit", "is 0 (all) or more");
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (await SegmentStore.GetAsync(store, parse.GetValue(name)!, ct) is not { } s) return await NoSuchAsync(console, parse.GetValue(name)!);
                var left = parse.GetValue(limit) == 0 ? long.MaxValue : parse.GetValue(limit);
                await foreach (var (id, _) in SegmentStore.AllMembersAsync(store, s.Name, ct))
                {
                    if (left-- <= 0) break;
                    await console.Out.WriteLineAsync(id);
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
        var output = new Option<string?>("--out") { Description = "Write the CSV to this file (default: standard output)" };
        var command = new Command("export", "Every member as CSV: customer_id,entered_at (UTC)") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (await SegmentStore.GetAsync(store, parse.GetValue(name)!, ct) is not { } s) return await NoSuchAsync(console, parse.GetValue(name)!);
                var path = parse.GetValue(output);
                StreamWriter? file = null;
                try
                {
                    if (path is not null) file = new StreamWriter(path, append: false, new UTF8Encoding(false));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException or ArgumentException)
                {
                    return await BadAsync(console, "--out", $"cannot write {path}: {e.Message}");
                }
                await using (file)
                {
                    var writer = (TextWriter?)file ?? console.Out;
                    await writer.WriteAsync("customer_id,entered_at\n");
                    long count = 0;
                    await foreach (var (id, at) in SegmentStore.AllMembersAsync(store, s.Name, ct))
                    {
                        await writer.WriteAsync($"{Csv(id)},{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}\n");
                        count++;
                    }
                    if (file is not null) await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count:N0} members written to {path}"));
                }
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
        var command = new Command("delete", "Delete a segment with its members and history") { name };
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                if (!await SegmentStore.DeleteAsync(store, parse.GetValue(name)!, ct)) return await NoSuchAsync(console, parse.GetValue(name)!);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Check(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var rule = RuleOption();
        var sample = new Option<int>("--sample") { Description = "Show this many matching customer ids (default 10, at most 100)", DefaultValueFactory = _ => 10 };
        var format = Format();
        var command = new Command("check", "Validate a rule and count the customers it selects now, without saving anything") { rule, sample, format };
        command.SetAction(async (parse, ct) =>
        {
            var fields = Contracts.SegmentRules.AllFields();
            if (parse.GetValue(sample) is < 0 or > 100) return await BadAsync(console, "--sample", "is from 0 to 100");
            if (await CompileAsync(console, parse.GetValue(rule), fields) is not { } compiled) return ExitCodes.BadInput;
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                using var segments = Service(store, fields, time, console);
                var counted = await segments.CountAsync(compiled, parse.GetValue(sample), ct);
                if (!counted.TryGetValue(out var found, out var error)) return await BadAsync(console, "--rule", error.Message);
                var (count, ids) = found;
                if (parse.GetValue(format) == "json")
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(new { Rule = compiled.Text, compiled.Fields, MemberCount = count, Sample = ids }, Json));
                    return ExitCodes.Ok;
                }
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count:N0} customers match"));
                foreach (var id in ids) await console.Out.WriteLineAsync(id);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Refresh(CliContext cli)
    {
        var console = cli.Console;
        var time = cli.Time;
        var command = new Command("refresh", "Recompute every segment's members now (a running server does this by itself)");
        command.SetAction(async (parse, ct) =>
        {
            var (store, exit) = await cli.OpenStoreAsync(parse, ct, create: true);
            if (store is null) return exit;
            using (store)
            {
                using var segments = Service(store, Contracts.SegmentRules.AllFields(), time, console);
                await segments.RefreshAllAsync(ct);
                var update = segments.LastUpdate;
                await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{update?.Entered ?? 0:N0} entered, {update?.Exited ?? 0:N0} exited"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Fields(CliConsole console)
    {
        var command = new Command("fields", "The fields a rule may use");
        command.SetAction(async (_, _) =>
        {
            foreach (var f in Contracts.SegmentRules.AllFields().All)
                await console.Out.WriteLineAsync($"{f.Signature,-36} {f.Type.ToString().ToLowerInvariant(),-8} {f.Description}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A service over the store with the index built once for this command.</summary>
    private static SegmentService Service(FlywheelStore store, FieldRegistry fields, TimeProvider time, CliConsole console)
    {
        Task<EventIndex>? index = null;
        return new SegmentService(store, fields, time, (_, ct) => index ??= BuildAsync(store, console, ct));
    }

    private static async Task<EventIndex> BuildAsync(FlywheelStore store, CliConsole console, CancellationToken ct)
    {
        IProgress<IndexBuildProgress>? progress = console.ErrorIsTerminal
            ? new Progress<IndexBuildProgress>(p => console.Error.Write($"\rindexing {p.Stage}: {p.Rows:N0}      "))
            : null;
        var index = await EventIndexes.BuildAsync(store, progress, ct);
        if (console.ErrorIsTerminal) await console.Error.WriteLineAsync();
        return index;
    }

    /// <summary>The compiled rule, or null after printing why not (with the excerpt and its caret).</summary>
    private static async Task<SegmentRule?> CompileAsync(CliConsole console, string? text, FieldRegistry fields)
    {
        if (string.IsNullOrEmpty(text))
        {
            await BadAsync(console, "--rule", "a rule is required, e.g. --rule 'orders(90d) >= 2'");
            return null;
        }
        if (SegmentRule.TryCompile(text, fields, out var rule, out var error)) return rule;
        await console.Error.WriteLineAsync($"error: --rule: {error}");
        foreach (var line in error.Excerpt.Split('\n')) await console.Error.WriteLineAsync("  " + line);
        return null;
    }

    private static async Task<int> BadAsync(CliConsole console, string what, string message)
    {
        await CliContext.WriteErrorAsync(console, Error.Invalid(what, message));
        return ExitCodes.BadInput;
    }

    private static Task<int> NoSuchAsync(CliConsole console, string name) => BadAsync(console, "name", $"no segment '{name}' (flywheel segments list)");

    private static object Summary(StoredSegment s, IReadOnlyList<string>? sample) => new
    {
        s.Name, s.Title, s.Rule, s.MemberCount, s.CreatedAt, s.UpdatedAt, s.RefreshedAt, Sample = sample,
    };

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

}
