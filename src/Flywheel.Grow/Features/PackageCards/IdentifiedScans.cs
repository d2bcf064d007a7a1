using System.Text.Json.Nodes;
using System.Threading.Channels;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Storage;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Grow.Features.PackageCards;

/// <summary>
/// The step from a package-card scan to the welcome journey. A scan is anonymous (the browser's first-party id); when that id is
/// later linked to a customer — the 企业微信 callback calls POST /v1/identify with the id the card passed as WeCom's <c>state</c> —
/// this writes one event <see cref="EventType"/> for the customer (per card and browser: its id is derived from both, so writing
/// it twice stores it once), carrying the card's UTM. Journeys trigger on it (the package_card_welcome template). It runs on every
/// committed identification in this process, and over every package-card scan when the host starts (identifications another
/// process made meanwhile).
/// </summary>
internal sealed class IdentifiedScans(LinkStore links, ILogger<IdentifiedScans> log) : BackgroundService
{
    public const string EventType = "custom:package_card_identified";

    private readonly Channel<string[]> _linked = Channel.CreateUnbounded<string[]>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var store = links.Store;
        void OnCommitted(IngestChanges changes)
        {
            if (changes.Links.Count > 0) _linked.Writer.TryWrite([.. changes.Links.Select(l => l.AnonymousId)]);
        }
        store.Committed += OnCommitted;
        try
        {
            await RunSafelyAsync(null, stoppingToken);
            while (await _linked.Reader.WaitToReadAsync(stoppingToken))
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                while (_linked.Reader.TryRead(out var more)) ids.UnionWith(more);
                await RunSafelyAsync(ids, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Committed -= OnCommitted;
        }
    }

    private async Task RunSafelyAsync(IReadOnlyCollection<string>? ids, CancellationToken ct)
    {
        try
        {
            var written = await ProcessAsync(ids, ct);
            if (written > 0) Log.ScansIdentified(log, written);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.IdentifiedScansFailed(log, e);
        }
    }

    /// <summary>
    /// Writes the identification events of package-card scans by <paramref name="anonymousIds"/> (null: every package-card scan)
    /// whose browser is now linked to a customer; returns how many were new.
    /// </summary>
    public Task<int> ProcessAsync(IReadOnlyCollection<string>? anonymousIds, CancellationToken ct) => ProcessAsync(anonymousIds, "package_card", ct);

    /// <summary>As <see cref="ProcessAsync(IReadOnlyCollection{string}?, CancellationToken)"/>, in an ingest of <paramref name="ingestKind"/>.</summary>
    public async Task<int> ProcessAsync(IReadOnlyCollection<string>? anonymousIds, string ingestKind, CancellationToken ct)
    {
        var scans = await links.PackageCardScansAsync(anonymousIds, ct);
        if (scans.Count == 0) return 0;
        var linked = await IdentityLookups.LinkedAsync(links.Store, [.. scans.Select(s => s.AnonymousId)], ct);
        var found = scans.Where(s => linked.ContainsKey(s.AnonymousId)).ToList();
        if (found.Count == 0) return 0;
        var cards = new Dictionary<string, LinkRow?>(StringComparer.Ordinal);
        foreach (var code in found.Select(s => s.Code).Distinct(StringComparer.Ordinal)) cards[code] = await links.GetAsync(code, ct);

        var written = 0;
        await using var session = await IngestSession.BeginAsync(links.Store, ingestKind, "identified_scans", ct);
        foreach (var (code, anonymous, firstAt) in found)
        {
            if (cards[code] is not { } card) continue;
            var link = linked[anonymous];
            var outcome = session.WriteEvent(new EventRow
            {
                EventId = EventId(code, anonymous), Type = EventType, Time = Math.Max(link.LinkedAt, firstAt), CustomerId = link.CustomerId,
                AnonymousId = anonymous, Channel = card.Utm.Channel, Source = card.Utm.Source, Medium = card.Utm.Medium, Campaign = card.Utm.Campaign,
                Content = card.Utm.Content, Term = card.Utm.Term, KolId = card.CreatorId,
                Properties = new JsonObject { ["link"] = code, ["first_scan_at"] = firstAt }.ToJsonString(),
            });
            if (outcome == WriteOutcome.Inserted) written++;
        }
        // Nothing new: the session is dropped and leaves no ingest behind.
        if (written > 0) await session.CommitAsync(found.Count, 0, ct);
        return written;
    }

    /// <summary>The event's id: one per (card, browser).</summary>
    public static string EventId(string code, string anonymousId) => "pci-" + code + "-" + anonymousId;
}
