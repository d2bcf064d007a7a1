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
/// Records redirects' clicks with group commit, in two steps. (1) Each redirect queues its click and waits; one writer takes
/// everything queued (up to <see cref="MaxBatch"/>) and inserts it into grow_link_clicks in one transaction, then releases every
/// waiting redirect at once: a redirect answers only after its click is durable. (2) The click events — one per click, into the
/// record through an ingest session, so the event index, journeys and attribution see them (anonymous_id, the link's
/// channel/source/medium/campaign/content/term, kol_id = the link's creator; the customer when the browser's anonymous id is
/// already linked to one) — are written after the redirect, in bulk, by a forwarder woken by each batch and running at most once
/// per <see cref="ForwardInterval"/>: an ingest commit refreshes the event index, feeds journeys and stitches anonymous events,
/// work that must not run per redirect. A click's event id derives from the click, and a click is marked forwarded only after its
/// event committed, so a crash in between writes each event once (the next pass finds the duplicate). The event usually lands
/// within a second of the redirect.
/// </summary>
internal sealed class ClickRecorder(LinkStore links, ILogger<ClickRecorder> log, TimeProvider? time = null) : BackgroundService
{
    public const int MaxBatch = 2000;
    public const int ForwardPage = 5000;

    /// <summary>The least time between two forwarding passes (default 500 ms).</summary>
    public TimeSpan ForwardInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    private sealed record Pending(ClickRow Click)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Channel<bool> _forward = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _forwarding = new(1, 1);

    /// <summary>Queues the click and returns when it is committed (or throws what the write threw).</summary>
    public async Task RecordAsync(ClickRow click, CancellationToken ct)
    {
        var pending = new Pending(click);
        await _queue.Writer.WriteAsync(pending, ct);
        await pending.Done.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => WriteLoopAsync(stoppingToken), stoppingToken), Task.Run(() => ForwardLoopAsync(stoppingToken), stoppingToken));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
                try
                {
                    await links.InsertClicksAsync([.. batch.Select(p => p.Click)], stoppingToken);
                    foreach (var p in batch) p.Done.TrySetResult();
                    _forward.Writer.TryWrite(true);
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

    private async Task ForwardLoopAsync(CancellationToken stoppingToken)
    {
        _forward.Writer.TryWrite(true); // clicks a previous run left unforwarded
        try
        {
            while (await _forward.Reader.WaitToReadAsync(stoppingToken))
            {
                _forward.Reader.TryRead(out _);
                try
                {
                    await ForwardAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ForwardFailed(log, e);
                    _forward.Writer.TryWrite(true);
                }
                await Task.Delay(ForwardInterval, time ?? TimeProvider.System, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes the events of every click not yet forwarded; returns how many clicks it forwarded. Safe to call at any time.</summary>
    public async Task<int> ForwardAsync(CancellationToken ct)
    {
        await _forwarding.WaitAsync(ct);
        try
        {
            return await ForwardAsync(links, ct);
        }
        finally
        {
            _forwarding.Release();
        }
    }

    /// <summary>The forwarding pass over a store (the demo calls it directly, with no recorder running).</summary>
    internal static Task<int> ForwardAsync(LinkStore links, CancellationToken ct) => ForwardAsync(links, "click", ct);

    /// <summary>Forwards recorded clicks as events in ingests of <paramref name="ingestKind"/> ("demo" for the demo's own clicks).</summary>
    internal static async Task<int> ForwardAsync(LinkStore links, string ingestKind, CancellationToken ct)
    {
        var forwarded = 0;
        var cards = new Dictionary<string, LinkRow?>(StringComparer.Ordinal);
        while (true)
        {
            var clicks = await links.UnforwardedAsync(ForwardPage, ct);
            if (clicks.Count == 0) return forwarded;
            var unknown = clicks.Where(c => c.CustomerId is null).Select(c => c.AnonymousId).ToList();
            var linked = unknown.Count == 0 ? new Dictionary<string, IdentityLink>() : await IdentityLookups.LinkedAsync(links.Store, unknown, ct);
            var done = new List<(string, string?)>(clicks.Count);
            await using (var session = await IngestSession.BeginAsync(links.Store, ingestKind, "tracking_link", ct))
            {
                foreach (var click in clicks)
                {
                    if (!cards.TryGetValue(click.Code, out var link)) cards[click.Code] = link = await links.GetAsync(click.Code, ct);
                    var customer = click.CustomerId ?? (linked.TryGetValue(click.AnonymousId, out var l) ? l.CustomerId : null);
                    done.Add((click.ClickId, customer));
                    if (link is null) continue;
                    session.WriteEvent(new EventRow
                    {
                        EventId = EventId(click.ClickId), Type = "click", Time = click.At, CustomerId = customer, AnonymousId = click.AnonymousId,
                        Channel = link.Utm.Channel, Source = link.Utm.Source, Medium = link.Utm.Medium, Campaign = link.Utm.Campaign, Content = link.Utm.Content,
                        Term = link.Utm.Term, KolId = link.CreatorId,
                        Properties = new JsonObject { ["link"] = link.Code, ["link_kind"] = link.Kind }.ToJsonString(),
                    });
                }
                await session.CommitAsync(clicks.Count, 0, ct);
            }
            await links.MarkForwardedAsync(done, ct);
            forwarded += clicks.Count;
        }
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

    [LoggerMessage(EventId = 15_404, Level = LogLevel.Error, Message = "writing link clicks' events failed; retrying at the next pass")]
    public static partial void ForwardFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15_403, Level = LogLevel.Information, Message = "{Count} package-card scanners identified: package_card_identified events written")]
    public static partial void ScansIdentified(ILogger logger, int count);
}
