using Flywheel.Customers.Contracts;
using System.Text;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Storage;
using Flywheel.Campaigns.Templates;
using Flywheel.Customers.Segments;
using Flywheel.Customers;
using Flywheel.Experiments.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Campaigns.Broadcasts;

/// <summary>What one <see cref="BroadcastPlanner.PlanAsync"/> call did: the batches it stored, the customers they covered, the broadcast after.</summary>
internal sealed record BroadcastPlanResult(StoredBroadcast Broadcast, int Batches, long Planned);

/// <summary>
/// Turns a saved broadcast into messages: resolves its segment, orders the customers by id (ordinal), skips those up to
/// the broadcast's <c>plan_cursor</c> (a restarted planner resumes), and stores batches of <see cref="BatchSize"/> with
/// <see cref="CampaignStore.AppendBroadcastBatchAsync"/> (messages, counts and cursor in one transaction, compare-and-set
/// on the cursor: a second planner at once gets a conflict and stores nothing). Every customer of the segment gets one
/// message keyed <c>b:{broadcast}:{customer}</c>: suppressed (no customer record, no consent for the purpose on the channel,
/// no address, or a template that fails for them; the reason is the message's last_error), held_out (the control group:
/// <see cref="BroadcastDefinition.HoldoutPercent"/> of the eligible customers by a hash of broadcast and customer id, variant
/// <c>control</c>; or, for a broadcast that names an experiment, the customers its assignment puts in the holdout variant) or
/// queued (rendered for them, with their variant's template when it has one, the variant in the message's <c>variant</c>; due
/// at send_at or their local_time, throttled). Caps, quiet hours and
/// send-time consent are the dispatcher's. Planning ends by moving the broadcast from planning to sending.
/// </summary>
internal sealed class BroadcastPlanner
{
    /// <summary>Above this many customers to plan, contacts are read in one scan rather than 500 ids at a time.</summary>
    private const int ScanThreshold = 20_000;
    private const int LookupChunk = 500;

    private readonly FlywheelStore _store;
    private readonly CampaignStore _campaigns;
    private readonly TrackingLinks _links;
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task<EventIndex>> _index;
    private readonly CustomerDirectory _directory;

    /// <param name="index">The event index segments are resolved against (the server passes its index host); default: built from the store.</param>
    public BroadcastPlanner(FlywheelStore store, CampaignStore campaigns, TrackingLinks links, TimeProvider time,
        Func<CancellationToken, Task<EventIndex>>? index = null)
    {
        _store = store;
        _campaigns = campaigns;
        _links = links;
        _time = time;
        _index = index ?? (ct => EventIndexes.BuildAsync(store, null, ct));
        _directory = new CustomerDirectory(store);
    }

    /// <summary>Customers per stored batch (1 to 50,000).</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary>
    /// The Experiments module's assignments, for broadcasts that name an experiment (each eligible customer assigned, source
    /// "broadcast:&lt;id&gt;"); null in a host without the module, where such a broadcast is refused.
    /// </summary>
    public IExperimentAssignments? Experiments { get; init; }

    /// <summary>Called after each stored batch (progress reports; tests stop the planner here to simulate a crash).</summary>
    public Func<BroadcastBatchResult, CancellationToken, Task>? AfterBatch { get; init; }

    /// <summary>
    /// Validates <paramref name="definitionJson"/> (errors name the JSON path; the segment must exist: a saved audience or
    /// segment, <c>all</c>, an RFM segment or group) and saves the broadcast as planned. A local_time without send_date gets
    /// the store's next day on which that time is still ahead. Nothing is written when the definition is invalid.
    /// </summary>
    public async Task<Result<StoredBroadcast>> CreateAsync(string broadcastId, string definitionJson, CancellationToken ct)
    {
        if (TextRules.Id(broadcastId, "id", 100) is { } badId) return badId;
        if (!BroadcastDefinition.Parse(definitionJson, _links.Policy).TryGetValue(out var definition, out var error)) return error;
        if (await CheckExperimentAsync(definition, ct) is { } badExperiment) return badExperiment;
        if (!await SegmentExistsAsync(definition.Segment, ct))
            return Error.NotFound("$.segment", $"no segment '{definition.Segment}': use all, an RFM segment or group " +
                                                $"({string.Join(", ", CustomerSets.Names.Skip(1))}), or a saved segment or audience");
        if (definition.LocalTime is { } at && definition.SendDate is null)
        {
            var zone = await StoreZoneAsync(ct);
            var local = Instant.FromDateTimeOffset(_time.GetUtcNow()).InZone(zone).LocalDateTime;
            definition = definition with { SendDate = local.TimeOfDay < at ? local.Date : local.Date.PlusDays(1) };
        }
        return await _campaigns.SaveBroadcastAsync(new BroadcastDraft(broadcastId, definition.Name, definition.ToJson(), definition.Segment), ct);
    }

    /// <summary>The broadcast's experiment exists and each of its variants' templates names one of its variants other than the holdout.</summary>
    private async Task<Error?> CheckExperimentAsync(BroadcastDefinition definition, CancellationToken ct)
    {
        if (definition.Experiment is not { } key) return null;
        var described = await CampaignExperiments.DescribeAsync(Experiments, key, "$.experiment", ct);
        if (!described.TryGetValue(out var summary, out var error)) return error;
        foreach (var variant in (definition.Variants?.Keys ?? []).Order(StringComparer.Ordinal))
        {
            if (!summary.Variants.Contains(variant, StringComparer.Ordinal))
                return Error.Invalid("$.variants." + variant, $"experiment '{key}' has no variant '{variant}' (its variants: {string.Join(", ", summary.Variants)})");
            if (variant == summary.HoldoutVariant)
                return Error.Invalid("$.variants." + variant, $"'{variant}' is experiment '{key}''s holdout: its customers get no message, so no template");
        }
        return null;
    }

    /// <summary>
    /// Plans the broadcast (see the class summary): from 'planned' or, resuming, 'planning'; a broadcast already sending or
    /// done is left as it is. A conflict when another planner stored a batch first (that planner carries on).
    /// </summary>
    public async Task<Result<BroadcastPlanResult>> PlanAsync(string broadcastId, CancellationToken ct)
    {
        if (BatchSize is < 1 or > 50_000) return Error.Invalid("batch_size", $"batch size {BatchSize}; give 1 to 50,000");
        var stored = await _campaigns.GetBroadcastAsync(broadcastId, ct);
        if (stored is null) return Error.NotFound("broadcast_id", $"there is no broadcast '{broadcastId}'");
        if (!BroadcastDefinition.Parse(stored.DefinitionJson).TryGetValue(out var definition, out var bad))
            return Error.Invalid("definition" + bad.Path?.TrimStart('$'), $"the stored definition of broadcast '{broadcastId}' is invalid: {bad.Message}");
        switch (stored.Status)
        {
            case "sending" or "done":
                return new BroadcastPlanResult(stored, 0, 0);
            case "cancelled":
                return Error.Conflict("status", $"broadcast '{broadcastId}' is cancelled");
            case "planned":
                var started = await _campaigns.SetBroadcastStatusAsync(broadcastId, "planning", "planned", ct);
                if (!started.IsSuccess)
                {
                    // Another planner started it a moment ago: carry on from what is stored; the cursor keeps us apart.
                    stored = await _campaigns.GetBroadcastAsync(broadcastId, ct);
                    if (stored is null || stored.Status != "planning") return started.Error!;
                }
                break;
        }

        if (definition.Experiment is not null && Experiments is null)
            return Error.Invalid("definition.experiment", CampaignExperiments.NotAvailable);
        var storeZone = await StoreZoneAsync(ct);
        var nowInstant = Instant.FromDateTimeOffset(_time.GetUtcNow());
        var sendDate = definition.SendDate ?? DefaultSendDate(definition, stored.CreatedAt, storeZone);
        var index = await _index(ct);
        var asOf = nowInstant.InZone(storeZone).Date.ToDateOnly();
        if (!(await CustomerSets.ResolveAsync(_store, index, definition.Segment, asOf, ct)).TryGetValue(out var members, out var segmentError))
            return Error.NotFound("segment", segmentError.Message);

        var cursor = stored.PlanCursor;
        var pending = members.Where(id => cursor is null || string.CompareOrdinal(id, cursor) > 0).ToArray();
        Array.Sort(pending, StringComparer.Ordinal);
        Dictionary<string, CustomerContact>? all = pending.Length > ScanThreshold ? await _directory.LoadAsync(pending, ct) : null;

        var plan = new Planning(definition, broadcastId, sendDate, storeZone, _links);
        if (definition.RatePerMinute is not null && stored.Enqueued > 0) await plan.RecoverThrottleAsync(_store, _directory, stored, ct);

        // Batch k + 1 is built (contacts read, templates rendered) while batch k is written: the CPU work overlaps the
        // database's. Builds run one after another, so the throttle's counters see the customers in order.
        Task<List<NewMessage>> Build(int from) => Task.Run(async () =>
        {
            var ids = new ArraySegment<string>(pending, from, Math.Min(BatchSize, pending.Length - from));
            var contacts = all ?? await LoadChunkedAsync(ids, ct);
            var assignments = await AssignAsync(definition, broadcastId, plan, ids, contacts, ct);
            // Rendering is most of the CPU: spread over the cores; the throttle's due times follow in customer order.
            var built = new NewMessage[ids.Count];
            Parallel.For(0, ids.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => built[i] = plan.Message(ids[i], contacts.GetValueOrDefault(ids[i]), assignments?.GetValueOrDefault(ids[i])));
            var messages = new List<NewMessage>(built.Length);
            foreach (var message in built) messages.Add(plan.Throttled(message));
            return messages;
        }, ct);

        var batches = 0;
        long planned = 0;
        Task<List<NewMessage>>? next = pending.Length > 0 ? Build(0) : null;
        try
        {
            for (var from = 0; from < pending.Length; from += BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                var messages = await next!;
                next = from + BatchSize < pending.Length ? Build(from + BatchSize) : null;
                var last = messages[^1].CustomerId;
                var appended = await _campaigns.AppendBroadcastBatchAsync(broadcastId, new BroadcastBatch(cursor, last, messages.Count, messages), ct);
                if (!appended.TryGetValue(out var result, out var appendError)) return appendError;
                cursor = last;
                batches++;
                planned += messages.Count;
                stored = result.Broadcast;
                if (AfterBatch is { } hook) await hook(result, ct);
            }
        }
        finally
        {
            // A build still running when we stop (a conflict, a cancellation) is waited for, its result dropped.
            if (next is not null)
            {
                try
                {
                    await next;
                }
                catch (Exception)
                {
                    // dropped with the build
                }
            }
        }

        ct.ThrowIfCancellationRequested();
        var sending = await _campaigns.SetBroadcastStatusAsync(broadcastId, "sending", "planning", ct);
        if (!sending.TryGetValue(out var done, out var statusError))
        {
            // Another planner finished first; what is stored is complete either way.
            var now = await _campaigns.GetBroadcastAsync(broadcastId, ct);
            if (now is null || now.Status is not ("sending" or "done")) return statusError;
            done = now;
        }
        return new BroadcastPlanResult(done, batches, planned);
    }

    /// <summary>Whether the customer is in the broadcast's control group: a stable hash of (broadcast id, customer id).</summary>
    public static bool InHoldout(string broadcastId, string customerId, double holdoutPercent) =>
        holdoutPercent > 0 && Bucket(broadcastId, customerId) < (ulong)Math.Round(holdoutPercent * 100);

    /// <summary>0 to 9,999: FNV-1a 64 over the UTF-16 code units of "broadcast\u001fcustomer", finished with a SplitMix64 mix.</summary>
    internal static ulong Bucket(string broadcastId, string customerId)
    {
        unchecked
        {
            var h = 14695981039346656037UL;
            foreach (var c in broadcastId) h = (h ^ c) * 1099511628211UL;
            h = (h ^ 0x1F) * 1099511628211UL;
            foreach (var c in customerId) h = (h ^ c) * 1099511628211UL;
            h ^= h >> 30;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 27;
            h *= 0x94D049BB133111EBUL;
            h ^= h >> 31;
            return h % 10_000;
        }
    }

    /// <summary>
    /// The experiment's variant of each eligible customer of the batch (only they are exposed: a customer who would get no
    /// message is not in the experiment), in customer order; null when the broadcast names no experiment. A customer outside
    /// the experiment (or an experiment gone since) is left out: they get the main template.
    /// </summary>
    private async Task<Dictionary<string, ExperimentAssignment>?> AssignAsync(BroadcastDefinition definition, string broadcastId, Planning plan,
        IReadOnlyList<string> ids, Dictionary<string, CustomerContact> contacts, CancellationToken ct)
    {
        if (definition.Experiment is not { } experiment || Experiments is not { } experiments) return null;
        var assignments = new Dictionary<string, ExperimentAssignment>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (!plan.Eligible(contacts.GetValueOrDefault(id))) continue;
            var assigned = await experiments.AssignAsync(experiment, id, "broadcast:" + broadcastId, ct);
            if (assigned.TryGetValue(out var a, out _) && a.InExperiment) assignments[id] = a;
        }
        return assignments;
    }

    private async Task<Dictionary<string, CustomerContact>> LoadChunkedAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var contacts = new Dictionary<string, CustomerContact>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i += LookupChunk)
            foreach (var (id, contact) in await _directory.LoadAsync(ids.Skip(i).Take(LookupChunk).ToArray(), ct))
                contacts[id] = contact;
        return contacts;
    }

    private Task<bool> SegmentExistsAsync(string name, CancellationToken ct) => CustomerSets.ExistsAsync(_store, name, ct);

    private async Task<DateTimeZone> StoreZoneAsync(CancellationToken ct) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(await _store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? CustomerDirectory.DefaultZone;

    /// <summary>For a definition saved without send_date (not through <see cref="CreateAsync"/>): the day after it was saved on which local_time is ahead.</summary>
    private static LocalDate DefaultSendDate(BroadcastDefinition definition, DateTimeOffset savedAt, DateTimeZone zone)
    {
        var local = Instant.FromDateTimeOffset(savedAt).InZone(zone).LocalDateTime;
        return definition.LocalTime is { } at && local.TimeOfDay < at ? local.Date : local.Date.PlusDays(1);
    }

    /// <summary>The per-broadcast state of one planner run: due times, the throttle's counters, rendering.</summary>
    private sealed class Planning(BroadcastDefinition definition, string broadcastId, LocalDate sendDate, DateTimeZone storeZone, TrackingLinks links)
    {
        private readonly Dictionary<long, long> _slots = [];
        private readonly MessageTemplate _template = definition.Compiled;
        private readonly string _channel = definition.ChannelName;
        private readonly string _purpose = definition.PurposeName;
        private readonly long? _sendAtMs = definition.SendAt?.ToUnixTimeMilliseconds();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<DateTimeZone, long> _localBase = new();

        /// <summary>Whether the customer gets a message at all (a record, consent for the purpose on the channel, an address).</summary>
        public bool Eligible(CustomerContact? contact) =>
            contact is not null && contact.Allows(definition.Channel, definition.Purpose) && contact.AddressFor(definition.Channel) is not null;

        public NewMessage Message(string customerId, CustomerContact? contact, ExperimentAssignment? assignment = null)
        {
            var key = "b:" + broadcastId + ":" + customerId;
            var baseMs = BaseMs(contact?.TimeZone ?? storeZone);
            if (contact is null) return Recorded(key, customerId, null, baseMs, "suppressed", "suppressed: no customer record");
            var address = contact.AddressFor(definition.Channel);
            if (!contact.Allows(definition.Channel, definition.Purpose))
                return Recorded(key, customerId, address, baseMs, "suppressed", $"suppressed: no {_purpose} consent on {_channel}");
            if (address is null) return Recorded(key, customerId, null, baseMs, "suppressed", $"suppressed: no {_channel} address");
            if (assignment is { Holdout: true })
                return Recorded(key, customerId, address, baseMs, "held_out", null, assignment.Variant);
            if (assignment is null && InHoldout(broadcastId, customerId, definition.HoldoutPercent))
                return Recorded(key, customerId, address, baseMs, "held_out", null, "control");
            var variant = assignment?.Variant;
            var template = variant is not null && definition.CompiledVariants.TryGetValue(variant, out var own) ? own : _template;

            var model = new TemplateModel
            {
                Customer = new TemplateCustomer(customerId, contact.Name, contact.City, contact.MemberTier),
                UnsubscribeUrl = links.Unsubscribe(key),
            };
            var rendered = template.Render(model, (url, campaign) => links.Click(key, url, campaign ?? definition.Campaign));
            if (!rendered.TryGetValue(out var message, out var error))
                return Recorded(key, customerId, address, baseMs, "suppressed", "suppressed: " + error.Message, variant);

            return new NewMessage(key, "broadcast", broadcastId, null, variant, customerId, _channel, _purpose, address, message.Subject, message.Text,
                links.WithOpenPixel(message.Html, key), model.UnsubscribeUrl, DateTimeOffset.FromUnixTimeMilliseconds(baseMs));
        }

        /// <summary>
        /// A queued message's due time under the throttle: the i-th message due at one instant is due i/rate minutes later.
        /// Call in customer order, one thread at a time.
        /// </summary>
        public NewMessage Throttled(NewMessage message)
        {
            if (definition.RatePerMinute is not { } rate || message.Status != "queued") return message;
            var baseMs = message.DueAt.ToUnixTimeMilliseconds();
            var slot = _slots.GetValueOrDefault(baseMs);
            _slots[baseMs] = slot + 1;
            return slot == 0 ? message : message with { DueAt = DateTimeOffset.FromUnixTimeMilliseconds(baseMs + slot * 60_000 / rate) };
        }

        /// <summary>A resumed run continues the throttle where the stored messages left it: slots per due instant, from the customers queued so far.</summary>
        public async Task RecoverThrottleAsync(FlywheelStore store, CustomerDirectory directory, StoredBroadcast stored, CancellationToken ct)
        {
            if (_sendAtMs is { } at)
            {
                _slots[at] = stored.Enqueued;
                return;
            }
            var queued = new List<string>();
            await using (var connection = await store.OpenConnectionAsync(ct))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT customer_id FROM messages WHERE source_kind = 'broadcast' AND source_id = @id AND status NOT IN ('held_out', 'suppressed')";
                command.AddParameter("@id", broadcastId);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) queued.Add(reader.GetString(0));
            }
            var contacts = await directory.LoadAsync(queued, ct);
            foreach (var id in queued)
            {
                var baseMs = BaseMs(contacts.GetValueOrDefault(id)?.TimeZone ?? storeZone);
                _slots[baseMs] = _slots.GetValueOrDefault(baseMs) + 1;
            }
        }

        private long BaseMs(DateTimeZone zone)
        {
            if (_sendAtMs is { } at) return at;
            return _localBase.GetOrAdd(zone, z => sendDate.At(definition.LocalTime!.Value).InZoneLeniently(z).ToInstant().ToUnixTimeMilliseconds());
        }

        private NewMessage Recorded(string key, string customerId, string? address, long dueMs, string status, string? reason, string? variant = null) =>
            new(key, "broadcast", broadcastId, null, variant, customerId, _channel, _purpose, address, null, null, null, null,
                DateTimeOffset.FromUnixTimeMilliseconds(dueMs), status, Truncate(reason));

        private static string? Truncate(string? text) => text is { Length: > 2_000 } ? new StringBuilder(text, 0, 1_990, 2_000).Append('…').ToString() : text;
    }
}
