using System.Text.Json.Nodes;
using System.Threading.Channels;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Grow.Features.Links;

/// <summary>
/// Records redirects' clicks with group commit: each redirect queues its click and waits; one writer takes everything queued
/// (up to <see cref="MaxBatch"/>) and writes it in two transactions — the grow_link_clicks rows, then one click event per click
/// into the record through an ingest session (so the event index, journeys and attribution see it: anonymous_id, the link's
/// channel/source/medium/campaign/content/term, kol_id = the link's creator) — then releases every waiting redirect at once.
/// Under load a commit carries hundreds of clicks; alone, a click is one commit. A click whose browser's anonymous id is
/// already linked to a customer is recorded as that customer's.
/// </summary>
internal sealed class ClickRecorder(LinkStore links, ILogger<ClickRecorder> log) : BackgroundService
{
    public const int MaxBatch = 2000;

    private sealed record Pending(ClickRow Click, LinkRow Link)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues the click and returns when it is committed (or throws what the write threw).</summary>
    public async Task RecordAsync(ClickRow click, LinkRow link, CancellationToken ct)
    {
        var pending = new Pending(click, link);
        await _queue.Writer.WriteAsync(pending, ct);
        await pending.Done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
                try
                {
                    await WriteAsync(links.Store, links, [.. batch.Select(p => (p.Click, p.Link))], stoppingToken);
                    foreach (var p in batch) p.Done.TrySetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ClicksFailed(log, batch.Count, e);
                    foreach (var p in batch) p.Done.TrySetException(e);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var p in batch) p.Done.TrySetCanceled(CancellationToken.None);
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled(CancellationToken.None);
        }
    }

    /// <summary>Writes clicks and their events (also used by the demo, which records its clicks the same way).</summary>
    internal static async Task WriteAsync(FlywheelStore store, LinkStore links, IReadOnlyList<(ClickRow Click, LinkRow Link)> clicks, CancellationToken ct)
    {
        var unknown = clicks.Where(c => c.Click.CustomerId is null).Select(c => c.Click.AnonymousId).ToList();
        var linked = unknown.Count == 0 ? new Dictionary<string, IdentityLink>() : await IdentityLookups.LinkedAsync(store, unknown, ct);
        var rows = clicks.Select(c => c.Click.CustomerId is null && linked.TryGetValue(c.Click.AnonymousId, out var l)
            ? (Click: c.Click with { CustomerId = l.CustomerId }, c.Link) : c).ToList();
        await links.InsertClicksAsync([.. rows.Select(r => r.Click)], ct);
        await using var session = await IngestSession.BeginAsync(store, "click", "tracking_link", ct);
        foreach (var (click, link) in rows)
            session.WriteEvent(new EventRow
            {
                EventId = EventId(click.ClickId), Type = "click", Time = click.At, CustomerId = click.CustomerId, AnonymousId = click.AnonymousId,
                Channel = link.Utm.Channel, Source = link.Utm.Source, Medium = link.Utm.Medium, Campaign = link.Utm.Campaign, Content = link.Utm.Content,
                Term = link.Utm.Term, KolId = link.CreatorId,
                Properties = new JsonObject { ["link"] = link.Code, ["link_kind"] = link.Kind }.ToJsonString(),
            });
        await session.CommitAsync(rows.Count, 0, ct);
    }

    /// <summary>The click event's id: one per click, derived from the click's id.</summary>
    public static string EventId(string clickId) => "lnk-" + clickId;
}

internal static partial class Log
{
    [LoggerMessage(EventId = 15_401, Level = LogLevel.Error, Message = "recording {Count} link clicks failed; their redirects still go through")]
    public static partial void ClicksFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 15_402, Level = LogLevel.Error, Message = "finding identified package-card scanners failed; retrying at the next identification")]
    public static partial void IdentifiedScansFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15_403, Level = LogLevel.Information, Message = "{Count} package-card scanners identified: package_card_identified events written")]
    public static partial void ScansIdentified(ILogger logger, int count);
}
