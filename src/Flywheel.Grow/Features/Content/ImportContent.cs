using System.CommandLine;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Storage;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Grow.Features.Content;

/// <summary>What an import did: items added and items updated (their metrics and any other cell given).</summary>
internal sealed record ContentImported(int Added, int Updated);

/// <summary>
/// Imports the content ledger's CSV (<see cref="ContentCsv"/>), all or nothing: a new id is added, an id already stored has the given
/// cells updated (a metrics-only re-import needs just content_id and the counts). Any bad row stores nothing.
/// </summary>
internal sealed class ImportContentHandler(FlywheelStore store, TimeProvider time)
{
    public async Task<Result<ContentImported>> HandleAsync(string csv, CancellationToken ct)
    {
        var parsed = ContentCsv.Parse(csv, await ContentHttp.ZoneAsync(store, ct));
        if (!parsed.TryGetValue(out var patches, out var error)) return error;
        var imported = await new ContentStore(store).ImportAsync(patches, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (!imported.TryGetValue(out var counts, out error)) return error;
        return new ContentImported(counts.Added, counts.Updated);
    }
}

/// <summary><c>POST /v1/content/import</c> (body: the CSV, Content-Type text/csv) and <c>GET /v1/content</c>.</summary>
internal static class ImportContentEndpoint
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/content/import", ImportAsync).Requires(Permission.MarketingWrite).WithName("ImportContent")
            .WithSummary("Import content items and their platform metrics from CSV (text/csv); all or nothing, errors name the row and column")
            // No Accepts("text/csv"): that would make routing answer other media types with 415 before the permission check
            // (an anonymous caller must get 401); the handler refuses them itself.
            .Produces<ContentImported>(StatusCodes.Status200OK, "application/json");
        group.MapGet("/content", ListAsync).Requires(Permission.ReportsRead).WithName("Content")
            .WithSummary("The content ledger: every item with its platform metrics (money in fen)");
    }

    internal static async Task<Results<JsonHttpResult<ContentImported>, ProblemHttpResult>> ImportAsync(HttpRequest request, ImportContentHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        if (request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
            return Error.UnsupportedFormat($"send the CSV with Content-Type: text/csv (got {(string.IsNullOrEmpty(request.ContentType) ? "none" : $"'{request.ContentType}'")})").ToProblem();
        var body = await RequestBody.ReadTextAsync(request, options.Value.MaxImportBytes, ct);
        if (!body.TryGetValue(out var csv, out var error)) return error.ToProblem();
        var imported = await handler.HandleAsync(csv, ct);
        return imported.TryGetValue(out var result, out error) ? ContentHttp.Json(result) : error.ToProblem();
    }

    internal static async Task<JsonHttpResult<IReadOnlyList<ContentItem>>> ListAsync(FlywheelStore store, CancellationToken ct) =>
        ContentHttp.Json(await new ContentStore(store).ListAsync(ct));
}

/// <summary><c>flywheel content import FILE.csv</c> and <c>flywheel content list</c>.</summary>
internal static class ImportContentCommand
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "CSV: content_id,title,kind,platform,published_at,owner,creator_id,stage,cost,views,... (cost in yuan)" };
        var command = new Command("import", "Import content items and platform metrics from a CSV file (all or nothing)") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("file", $"no file '{path}'");
            var text = await File.ReadAllTextAsync(path, ct);
            return await cli.RunAsync(parse, async services =>
            {
                var imported = await services.GetRequiredService<ImportContentHandler>().HandleAsync(text, ct);
                if (!imported.TryGetValue(out var result, out var error))
                {
                    await cli.Console.Error.WriteLineAsync($"error: {path}: {error}");
                    return ExitCodes.For(error);
                }
                await cli.Console.Out.WriteLineAsync($"imported {path}: {result.Added} added, {result.Updated} updated");
                return ExitCodes.Ok;
            },ct, create: true);
        });
        return command;
    }

    public static Command List(CliContext cli)
    {
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        var command = new Command("list", "The content ledger") { format };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(format) is not ("text" or "json")) return await cli.BadAsync("--format", "text or json");
            return await cli.WithStoreAsync(parse, async store =>
            {
                var items = await new ContentStore(store).ListAsync(ct);
                if (parse.GetValue(format) == "json")
                {
                    await cli.Console.Out.WriteLineAsync(ContentHttp.Serialize(items));
                    return ExitCodes.Ok;
                }
                foreach (var i in items)
                    await cli.Console.Out.WriteLineAsync($"{i.ContentId}  {i.Platform}  {i.Kind}  {i.Owner}  {i.Stage}  cost {ContentHttp.Yuan(i.Cost)}  views {i.Views:N0}  {i.Title}");
                if (items.Count == 0) await cli.Console.Error.WriteLineAsync("no content items");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
