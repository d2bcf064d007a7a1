using Flywheel.Hosting.Access;
using System.CommandLine;
using Flywheel.Hosting.Cli;
using Flywheel.Experiments.Contracts;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Pricing;
using Flywheel.Promotions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flywheel.Promotions.Features.SavePromotion;

/// <summary>The outcome of checking a set of promotions: each error names the element ("[2].mechanic.threshold") or the set.</summary>
internal sealed record SetCheck(IReadOnlyList<(int? Index, Error Error)> Errors)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>
/// Saves, checks and deletes promotions. A promotion is validated and checked against every other non-archived one before
/// anything is written: conflicts are refused at save time, not found at checkout.
/// </summary>
internal sealed class SavePromotionHandler(PromotionCatalog catalog, IExperimentAssignments? experiments = null)
{
    /// <summary>Saves one promotion; <paramref name="urlId"/>, when given, must be the body's id.</summary>
    public async Task<Result<SavedPromotion>> SaveAsync(Promotion promotion, string? urlId, CancellationToken ct)
    {
        if (urlId is not null && promotion.Id != urlId) return Error.Invalid("id", $"the body's id '{promotion.Id}' differs from the URL's '{urlId}'");
        if (PromotionValidator.Validate(promotion) is null && await ExperimentErrorAsync(promotion, ct) is { } noExperiment) return noExperiment;
        return await catalog.SaveAsync(promotion, ct);
    }

    /// <summary>
    /// Why the experiment the promotion names cannot be used: the host has no Experiments module, or there is no such
    /// experiment. Null when it names none or it exists.
    /// </summary>
    private async Task<Error?> ExperimentErrorAsync(Promotion promotion, CancellationToken ct)
    {
        if (promotion.Experiment is not { } key) return null;
        if (experiments is null)
            return Error.Invalid("experiment", "experiments are not available in this host (the Experiments module is not installed) / 实验功能不可用");
        var described = await experiments.DescribeAsync(key, ct);
        if (described.IsSuccess) return null;
        return Error.Invalid("experiment", described.Error!.Kind == ErrorKind.NotFound
            ? $"no experiment '{key}' / 没有实验 '{key}'"
            : $"experiment '{key}': {described.Error.Message}");
    }

    /// <summary>
    /// Checks a set: each promotion valid, no conflicts inside the set, none with the stored promotions the set does not replace.
    /// Nothing is written.
    /// </summary>
    public async Task<SetCheck> CheckAsync(IReadOnlyList<Promotion> set, CancellationToken ct)
    {
        var errors = new List<(int?, Error)>();
        for (var i = 0; i < set.Count; i++)
            if (PromotionValidator.Validate(set[i]) is { } e) errors.Add((i, e with { Path = $"[{i}]." + e.Path }));
            else if (await ExperimentErrorAsync(set[i], ct) is { } x) errors.Add((i, x with { Path = $"[{i}]." + x.Path }));
        foreach (var e in PromotionValidator.Conflicts(set)) errors.Add((null, e));
        var ids = set.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var stored = (await catalog.ListAsync(null, ct)).Where(p => !ids.Contains(p.Id)).ToList();
        for (var i = 0; i < set.Count; i++)
            foreach (var e in PromotionValidator.Conflicts(set[i], stored)) errors.Add((i, e with { Path = $"[{i}]." + e.Path }));
        return new SetCheck(errors);
    }

    /// <summary>
    /// Saves a set that <see cref="CheckAsync"/> found nothing wrong with (the caller has shown the check's errors, if any). Each
    /// save is still refused by the catalog if the store changed in between; nothing after a refused one is written.
    /// </summary>
    public async Task<Result<IReadOnlyList<SavedPromotion>>> SaveCheckedAsync(IReadOnlyList<Promotion> set, SetCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (!check.Valid) throw new ArgumentException("save a set only after its check passed", nameof(check));
        var saved = new List<SavedPromotion>(set.Count);
        foreach (var promotion in set)
        {
            var result = await catalog.SaveAsync(promotion, ct);
            if (!result.TryGetValue(out var one, out var error)) return error with { Path = $"{promotion.Id}.{error.Path}" };
            saved.Add(one);
        }
        return saved;
    }

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken ct) =>
        await catalog.DeleteAsync(id, ct) ? true : Error.NotFound("id", $"no promotion '{id}'");
}

/// <summary><c>POST /v1/promotions</c>, <c>PUT /v1/promotions/{id}</c>, <c>DELETE /v1/promotions/{id}</c>, <c>POST /v1/promotions/validate</c>.</summary>
internal static class SavePromotionEndpoint
{
    /// <summary>The answer of <c>POST /v1/promotions/validate</c>.</summary>
    internal sealed record Validation(bool Valid, IReadOnlyList<ItemError> Errors);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/promotions", SaveAsync).Requires(Permission.MarketingWrite).WithName("SavePromotion")
            .WithSummary("Create or replace a promotion; 400 with the field's JSON path when invalid, 409 naming the other promotion on a conflict")
            .Accepts<Promotion>("application/json").Produces<Promotion>(StatusCodes.Status201Created, "application/json");
        group.MapPut("/promotions/{id}", SaveAsync).Requires(Permission.MarketingWrite).WithName("ReplacePromotion").Accepts<Promotion>("application/json");
        group.MapDelete("/promotions/{id}", DeleteAsync).Requires(Permission.MarketingWrite).WithName("DeletePromotion");
        group.MapPost("/promotions/validate", ValidateAsync).Requires(Permission.MarketingWrite).WithName("ValidatePromotions")
            .WithSummary("Validate a list of promotions and report conflicts within it and with the stored ones, without saving")
            .Accepts<Promotion[]>("application/json");
    }

    internal static async Task<Results<JsonHttpResult<Promotion>, ProblemHttpResult>> SaveAsync(HttpRequest request, SavePromotionHandler handler,
        IOptions<PromotionsOptions> options, string? id, CancellationToken ct)
    {
        var read = await PromotionsHttp.ReadAsync<Promotion>(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var promotion, out var error)) return error.ToProblem();
        var saved = await handler.SaveAsync(promotion, id, ct);
        if (!saved.TryGetValue(out var result, out error)) return error.ToProblem();
        return PromotionsHttp.Json(result.Promotion, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(SavePromotionHandler handler, string id, CancellationToken ct)
    {
        var deleted = await handler.DeleteAsync(id, ct);
        return deleted.TryGetValue(out _, out var error) ? TypedResults.NoContent() : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<Validation>, ProblemHttpResult>> ValidateAsync(HttpRequest request, SavePromotionHandler handler,
        IOptions<PromotionsOptions> options, CancellationToken ct)
    {
        var read = await PromotionsHttp.ReadAsync<List<Promotion>>(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var set, out var error)) return error.ToProblem();
        var check = await handler.CheckAsync(set, ct);
        return PromotionsHttp.Json(new Validation(check.Valid, [.. check.Errors.Select(e => Problems.FromError(e.Index, e.Error))]));
    }
}

/// <summary><c>flywheel promo add FILE.json</c>: one promotion or a list, validated and checked for conflicts before anything is written.</summary>
internal static class SavePromotionCommand
{
    public static Command Create(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "A JSON file with one promotion or a list of them" };
        var command = new Command("add", "Add or replace promotions from a JSON file (validated and checked for conflicts first)") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) return await cli.BadAsync("file", $"no file '{path}'");
            var text = (await File.ReadAllTextAsync(path, ct)).TrimStart();
            var parsed = text.StartsWith('[') ? PromotionJson.ParsePromotions(text) : One(PromotionJson.ParsePromotion(text));
            if (!parsed.TryGetValue(out var promotions, out var error)) return await cli.BadAsync(path, error.ToString());
            // Conflicts inside the file need no store: refused before one is opened or created.
            var inFile = PromotionValidator.Conflicts(promotions);
            if (inFile.Count > 0)
            {
                foreach (var c in inFile) await cli.Console.Error.WriteLineAsync($"error: {path}: {c}");
                return ExitCodes.BadInput;
            }
            return await cli.RunAsync(parse, async services =>
            {
                var handler = services.GetRequiredService<SavePromotionHandler>();
                var check = await handler.CheckAsync(promotions, ct);
                if (!check.Valid)
                {
                    foreach (var (index, e) in check.Errors.Select(x => (x.Index, x.Error)))
                        await cli.Console.Error.WriteLineAsync($"error: {(index is { } i ? promotions[i].Id : path)}: {e}");
                    return ExitCodes.BadInput;
                }
                var saved = await handler.SaveCheckedAsync(promotions, check, ct);
                if (!saved.TryGetValue(out var results, out var refused)) return await cli.FailAsync(refused);
                foreach (var result in results)
                    await cli.Console.Out.WriteLineAsync($"{(result.Created ? "added" : "replaced")} {result.Promotion.Id}  {Labels.Of(result.Promotion.Mechanic).Zh}");
                return ExitCodes.Ok;
            }, ct, create: true);
        });
        return command;
    }

    private static Result<IReadOnlyList<Promotion>> One(Result<Promotion> parsed) =>
        parsed.TryGetValue(out var promotion, out var error) ? Result<IReadOnlyList<Promotion>>.Success([promotion]) : error;
}
