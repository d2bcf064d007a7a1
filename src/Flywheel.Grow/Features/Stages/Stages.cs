using System.CommandLine;
using System.Text.Json;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Matrix;
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

namespace Flywheel.Grow.Features.Stages;

/// <summary>
/// A channel's stage: what it serves now, its default, and whether the brand set it (source "set") or it is the default
/// (source "default", <see cref="UpdatedAt"/> null).
/// </summary>
internal sealed record StageRow(string Channel, string Stage, string DefaultStage, string Source, DateTimeOffset? UpdatedAt);

/// <summary>The lifecycle stage of each channel: list them, set one, reset one to its default.</summary>
internal sealed class ChannelStagesHandler(FlywheelStore store)
{
    /// <summary>Every channel with a default stage or a stage the brand set, by channel.</summary>
    public async Task<IReadOnlyList<StageRow>> ListAsync(CancellationToken ct)
    {
        var stored = (await ChannelStageStore.ListAsync(store, ct)).ToDictionary(s => s.Channel, StringComparer.Ordinal);
        return [.. ChannelStages.Defaults.Keys.Union(stored.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(channel => Row(channel, stored.GetValueOrDefault(channel)))];
    }

    /// <summary>The stages the matrix uses: the brand's assignments over the defaults.</summary>
    public async Task<StageMap> MapAsync(CancellationToken ct) =>
        new((await ChannelStageStore.ListAsync(store, ct)).ToDictionary(s => s.Channel, s => s.Stage, StringComparer.Ordinal));

    /// <summary>Sets one channel's stage; the paths name the channel and the stage as the caller's surface does.</summary>
    public async Task<Result<StageRow>> SetAsync(string? channel, string? stage, string channelPath, string stagePath, CancellationToken ct)
    {
        if (!ChannelStages.CheckChannel(channel, channelPath).TryGetValue(out var code, out var error)) return error;
        if (!ChannelStages.CheckStage(stage, stagePath).TryGetValue(out var checkedStage, out error)) return error;
        await ChannelStageStore.SetAsync(store, code, checkedStage, ct);
        return Row(code, new StoredStage(code, checkedStage, store.Time.GetUtcNow()));
    }

    /// <summary>Removes the brand's assignment: the channel serves its default stage again. Not found when none was set.</summary>
    public async Task<Result<StageRow>> ResetAsync(string? channel, string channelPath, CancellationToken ct)
    {
        if (!ChannelStages.CheckChannel(channel, channelPath).TryGetValue(out var code, out var error)) return error;
        if (!await ChannelStageStore.DeleteAsync(store, code, ct))
            return Error.NotFound(channelPath, $"channel '{code}' has no stage set: it serves its default stage, {ChannelStages.DefaultOf(code)}");
        return Row(code, null);
    }

    private static StageRow Row(string channel, StoredStage? stored)
    {
        var fallback = ChannelStages.DefaultOf(channel);
        return stored is null
            ? new StageRow(channel, fallback, fallback, "default", null)
            : new StageRow(channel, stored.Stage, fallback, "set", stored.UpdatedAt);
    }
}

/// <summary>The body of <c>PUT /v1/grow/stages/{channel}</c>: <c>{"stage": "awareness"}</c>.</summary>
internal sealed record SetStageRequest(string? Stage);

/// <summary><c>GET /v1/grow/stages</c>, <c>PUT /v1/grow/stages/{channel}</c> (body <c>{"stage": ...}</c>), <c>DELETE /v1/grow/stages/{channel}</c>.</summary>
internal static class ChannelStagesEndpoint
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/grow/stages", ListAsync).Requires(Permission.ReportsRead).WithName("GrowStages")
            .WithSummary("The lifecycle stage (awareness, interest, decision, repurchase, loyalty) each channel serves in the channel matrix: the defaults and the brand's own");
        group.MapPut("/grow/stages/{channel}", SetAsync).Requires(Permission.MarketingWrite).WithName("SetGrowStage")
            .WithSummary("Sets the lifecycle stage a channel serves: {\"stage\": \"awareness\"}")
            .Accepts<SetStageRequest>("application/json");
        group.MapDelete("/grow/stages/{channel}", ResetAsync).Requires(Permission.MarketingWrite).WithName("ResetGrowStage")
            .WithSummary("Resets a channel to its default lifecycle stage");
    }

    internal static async Task<JsonHttpResult<IReadOnlyList<StageRow>>> ListAsync(ChannelStagesHandler handler, CancellationToken ct) =>
        TypedResults.Json(await handler.ListAsync(ct), ChannelsJson.Options);

    internal static async Task<Results<JsonHttpResult<StageRow>, ProblemHttpResult>> SetAsync(string channel, HttpRequest request, ChannelStagesHandler handler,
        IOptions<GrowOptions> options, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, options.Value.MaxRequestBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error.ToProblem();
        string? stage;
        using (body)
        {
            if (body.Root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "the body is an object: {\"stage\": \"awareness\"}").ToProblem();
            if (!body.Root.TryGetProperty("stage", out var value) || value.ValueKind != JsonValueKind.String)
                return Error.Invalid("stage", $"stage is required, a string: one of {LifecycleStage.Expected}").ToProblem();
            foreach (var property in body.Root.EnumerateObject())
                if (property.Name != "stage") return Error.Invalid(property.Name, "unknown field: the body has only \"stage\"").ToProblem();
            stage = value.GetString();
        }
        var set = await handler.SetAsync(channel, stage, "channel", "stage", ct);
        return set.TryGetValue(out var row, out error) ? TypedResults.Json(row, ChannelsJson.Options) : error.ToProblem();
    }

    internal static async Task<Results<JsonHttpResult<StageRow>, ProblemHttpResult>> ResetAsync(string channel, ChannelStagesHandler handler, CancellationToken ct)
    {
        var reset = await handler.ResetAsync(channel, "channel", ct);
        return reset.TryGetValue(out var row, out var error) ? TypedResults.Json(row, ChannelsJson.Options) : error.ToProblem();
    }
}

/// <summary><c>flywheel channels stages</c> (list), <c>... stages set &lt;channel&gt; &lt;stage&gt;</c>, <c>... stages reset &lt;channel&gt;</c>.</summary>
internal static class ChannelStagesCommand
{
    public static Command Create(CliContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("stages", "The lifecycle stage each channel serves in the matrix; set or reset one") { json };
        command.SetAction((parse, ct) => cli.RunAsync(parse, async services =>
        {
            var rows = await services.GetRequiredService<ChannelStagesHandler>().ListAsync(ct);
            if (parse.GetValue(json))
            {
                await cli.Console.Out.WriteLineAsync(JsonSerializer.Serialize(rows, ChannelsJson.Indented));
                return ExitCodes.Ok;
            }
            foreach (var row in rows)
                await cli.Console.Out.WriteLineAsync($"{row.Channel,-16} {row.Stage,-11} {LifecycleStage.Chinese[row.Stage]}  {(row.Source == "set" ? $"(set; default {row.DefaultStage})" : "(default)")}");
            return ExitCodes.Ok;
        }, ct));

        var channel = new Argument<string>("channel") { Description = "The channel, as events and spend rows name it (e.g. xiaohongshu)" };
        var stage = new Argument<string>("stage") { Description = $"One of {LifecycleStage.Expected}" };
        var set = new Command("set", "Set the lifecycle stage a channel serves") { channel, stage };
        set.SetAction(async (parse, ct) =>
        {
            // Checked before the store is opened: bad input never needs a store.
            if (!ChannelStages.CheckChannel(parse.GetValue(channel), "channel").TryGetValue(out _, out var bad)) return await cli.FailAsync(bad);
            if (!ChannelStages.CheckStage(parse.GetValue(stage), "stage").TryGetValue(out _, out bad)) return await cli.FailAsync(bad);
            return await cli.RunAsync(parse, async services =>
            {
                var done = await services.GetRequiredService<ChannelStagesHandler>().SetAsync(parse.GetValue(channel), parse.GetValue(stage), "channel", "stage", ct);
                if (!done.TryGetValue(out var row, out var error)) return await cli.FailAsync(error);
                await cli.Console.Out.WriteLineAsync($"{row.Channel}: {row.Stage} ({LifecycleStage.Chinese[row.Stage]})");
                return ExitCodes.Ok;
            }, ct);
        });

        var resetChannel = new Argument<string>("channel") { Description = "The channel to give its default stage back" };
        var reset = new Command("reset", "Reset a channel to its default lifecycle stage") { resetChannel };
        reset.SetAction((parse, ct) => cli.RunAsync(parse, async services =>
        {
            var done = await services.GetRequiredService<ChannelStagesHandler>().ResetAsync(parse.GetValue(resetChannel), "channel", ct);
            if (!done.TryGetValue(out var row, out var error)) return await cli.FailAsync(error);
            await cli.Console.Out.WriteLineAsync($"{row.Channel}: {row.Stage} ({LifecycleStage.Chinese[row.Stage]}, default)");
            return ExitCodes.Ok;
        }, ct));

        command.Add(set);
        command.Add(reset);
        return command;
    }
}
