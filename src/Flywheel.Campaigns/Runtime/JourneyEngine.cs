using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Journeys;
using Flywheel.Campaigns.Templates;
using Flywheel.Experiments.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Flywheel.Promotions.Contracts;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Storage.Contracts;
using NodaTime;

namespace Flywheel.Campaigns.Runtime;

/// <summary>An event as journeys see it: who did what, when.</summary>
internal sealed record JourneyEvent(string EventId, string Type, string CustomerId, DateTimeOffset Time, string? Sku = null, long? Value = null,
    string? Properties = null);

/// <summary>Whether a customer matches a segment-language rule now; supplied by the host (the segment service over the event index).</summary>
internal delegate ValueTask<bool> RuleMatcher(string rule, string customerId, CancellationToken ct);

/// <summary>What one run of <see cref="JourneyEngine.AdvanceAsync"/> did.</summary>
internal sealed record AdvanceReport(int Entries, int Steps, int Messages, int Exited, int Completed, int Errors);

/// <summary>
/// Runs journeys. Triggers (<see cref="OnEventsAsync"/>, <see cref="OnLifecycleAsync"/>, <see cref="OnSegmentChangeAsync"/>,
/// <see cref="SweepDatesAsync"/>) put customers into journeys as rows of <c>journey_entries</c>; <see cref="AdvanceAsync"/>
/// claims due entries (leased, so several workers never run one entry twice) and executes steps until a wait or the end,
/// checking the exit conditions before every step. Every side effect is idempotent by a key made of (journey, step,
/// customer, occurrence): the message's idempotency key, the coupon claim's key, the points event's id. A worker that dies
/// half-way through an entry leaves it to be claimed again after its lease, and re-running a step changes nothing twice.
/// </summary>
internal sealed class JourneyEngine
{
    private const int MaxStepsPerRun = 64;
    private readonly FlywheelStore _store;
    private readonly CampaignStore _campaigns;
    private readonly CustomerDirectory _directory;
    private readonly TrackingLinks _links;
    private readonly TimeProvider _time;
    private readonly string _owner;
    private readonly RuleMatcher? _rules;
    private readonly ConcurrentDictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);
    private volatile Active _active = new([]);

    public JourneyEngine(FlywheelStore store, CampaignStore campaigns, CustomerDirectory directory, TrackingLinks links, TimeProvider time,
        string owner, RuleMatcher? rules = null)
    {
        _store = store;
        _campaigns = campaigns;
        _directory = directory;
        _links = links;
        _time = time;
        _owner = owner;
        _rules = rules;
    }

    /// <summary>
    /// Assigns customers entering a journey that names an experiment (the Experiments module's contract); none: such journeys
    /// run as if they named no experiment (saving one is refused without the module).
    /// </summary>
    public IExperimentAssignments? Experiments { get; init; }

    /// <summary>Issues the coupons of "issue coupon" steps (Promotions' ledger, through its contract); none: such steps record why they issued nothing.</summary>
    public ICouponIssuer? Coupons { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    public int BatchSize { get; init; } = 200;

    /// <summary>How long after a message an order counts as its conversion (results).</summary>
    public TimeSpan AttributionWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The active journeys, parsed, with lookups by trigger.</summary>
    private sealed class Active(IReadOnlyList<Journey> journeys)
    {
        public IReadOnlyList<Journey> Journeys { get; } = journeys;
        public Dictionary<string, Journey> ById { get; } = journeys.ToDictionary(j => j.Id, StringComparer.Ordinal);
        public Dictionary<string, List<Journey>> ByEvent { get; } = Group(journeys, j => j.Trigger is EventTrigger e ? [e.Event] : []);
        public Dictionary<string, List<Journey>> ExitingOn { get; } = Group(journeys, j =>
            [.. j.ExitWhen.OfType<ExitOnEvent>().Select(e => e.Event), .. j.Trigger is EventTrigger { Unless: { } u } ? new[] { u } : []]);

        private static Dictionary<string, List<Journey>> Group(IReadOnlyList<Journey> journeys, Func<Journey, IEnumerable<string>> keys)
        {
            var map = new Dictionary<string, List<Journey>>(StringComparer.Ordinal);
            foreach (var j in journeys)
                foreach (var key in keys(j).Distinct(StringComparer.Ordinal))
                {
                    if (!map.TryGetValue(key, out var list)) map[key] = list = [];
                    list.Add(j);
                }
            return map;
        }
    }

    public IReadOnlyList<Journey> ActiveJourneys => _active.Journeys;

    /// <summary>Reads the active journeys from the store (after a save or a status change).</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var stored = await _campaigns.ListJourneysAsync("active", ct);
        var list = new List<Journey>();
        foreach (var row in stored.TryGetValue(out var rows, out _) ? rows : [])
            if (JourneyJson.Parse(row.DefinitionJson).TryGetValue(out var journey, out _)) list.Add(journey with { Id = row.JourneyId });
        _active = new Active(list);
    }

    // ---- triggers ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Evaluates event triggers and event exits for a batch of events (in time order). An exit event ends the customer's
    /// active entries at once and cancels their queued messages; a trigger event enters the customer, due at once or, for
    /// "X not followed by Y within W", at the event's time plus W. Returns the number of entries made.
    /// </summary>
    public async Task<int> OnEventsAsync(IReadOnlyList<JourneyEvent> events, CancellationToken ct)
    {
        var active = _active;
        if (active.Journeys.Count == 0) return 0;
        var entered = 0;
        // Exit events are common (every payment) and exits are writes: find once per batch which of their customers are in a
        // journey at all, and track entries made in this batch, so only customers with something to exit cost a write.
        var inJourney = await ActiveAmongAsync(events.Where(e => active.ExitingOn.ContainsKey(e.Type)).Select(e => e.CustomerId), ct);
        foreach (var e in events)
        {
            if (active.ExitingOn.TryGetValue(e.Type, out var exiting) && inJourney.Contains(e.CustomerId))
                foreach (var journey in exiting)
                    await ExitCustomerAsync(journey.Id, e.CustomerId, "exit: " + e.Type, ct);
            if (!active.ByEvent.TryGetValue(e.Type, out var triggered)) continue;
            foreach (var journey in triggered)
            {
                var trigger = (EventTrigger)journey.Trigger;
                var due = trigger.Within is { } within && trigger.Unless is not null ? e.Time + within : e.Time;
                var context = new JsonObject
                {
                    ["trigger"] = new JsonObject
                    {
                        ["event_id"] = e.EventId, ["type"] = e.Type, ["time"] = e.Time.ToUnixTimeMilliseconds(), ["sku"] = e.Sku, ["value"] = e.Value,
                        ["properties"] = e.Properties is { } p ? ParseObject(p) : null,
                    },
                };
                if (await EnterAsync(journey, e.CustomerId, due, context, ct))
                {
                    entered++;
                    inJourney.Add(e.CustomerId);
                }
            }
        }
        return entered;
    }

    /// <summary>Of the given customers, those with an active journey entry or a journey message not yet sent (one query per 500 customers).</summary>
    private async Task<HashSet<string>> ActiveAmongAsync(IEnumerable<string> customers, CancellationToken ct)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var distinct = customers.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0) return result;
        await using var connection = await _store.OpenConnectionAsync(ct);
        foreach (var chunk in distinct.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            // In a journey, or with a journey message still waiting to go (a reminder queued after its entry completed).
            var list = string.Join(",", chunk.Select((_, i) => "@c" + i));
            command.CommandText = "SELECT customer_id FROM journey_entries WHERE status = 'active' AND customer_id IN (" + list + ") " +
                "UNION SELECT customer_id FROM messages WHERE source_kind = 'journey' AND status IN ('queued', 'failed') AND customer_id IN (" + list + ")";
            for (var i = 0; i < chunk.Length; i++) command.AddParameter("@c" + i, chunk[i]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) result.Add(reader.GetString(0));
        }
        return result;
    }

    /// <summary>A lifecycle transition (from the lifecycle service): enters journeys triggered by reaching that stage.</summary>
    public async Task<int> OnLifecycleAsync(string customerId, string? from, string to, CancellationToken ct)
    {
        var entered = 0;
        foreach (var journey in _active.Journeys)
            if (journey.Trigger is LifecycleTrigger t && t.To == to && (t.From is null || t.From == from) &&
                await EnterAsync(journey, customerId, _time.GetUtcNow(), new JsonObject { ["lifecycle"] = new JsonObject { ["from"] = from, ["to"] = to } }, ct))
                entered++;
        return entered;
    }

    /// <summary>A saved segment's membership changed: enters journeys triggered by entering or leaving it.</summary>
    public async Task<int> OnSegmentChangeAsync(string segment, string customerId, bool entered, CancellationToken ct)
    {
        var count = 0;
        foreach (var journey in _active.Journeys)
        {
            var matches = journey.Trigger switch
            {
                SegmentEntryTrigger t => entered && t.Segment == segment,
                SegmentExitTrigger t => !entered && t.Segment == segment,
                _ => false,
            };
            if (matches && await EnterAsync(journey, customerId, _time.GetUtcNow(), new JsonObject { ["segment"] = segment }, ct)) count++;
        }
        return count;
    }

    /// <summary>
    /// Date triggers for today in each customer's zone: birthdays (N days before) and N days after the first paid order.
    /// Re-entry rules keep a customer to one entry per occasion; run it any number of times a day.
    /// </summary>
    public async Task<int> SweepDatesAsync(CancellationToken ct)
    {
        var journeys = _active.Journeys.Where(j => j.Trigger is DateTrigger).ToList();
        if (journeys.Count == 0) return 0;
        var contacts = await _directory.LoadAsync(null, ct);
        var firstOrders = journeys.Any(j => ((DateTrigger)j.Trigger).Attribute == DateAttribute.FirstOrder) ? await FirstOrdersAsync(ct) : [];
        var now = _time.GetUtcNow();
        var entered = 0;
        foreach (var journey in journeys)
        {
            var trigger = (DateTrigger)journey.Trigger;
            foreach (var contact in contacts.Values)
            {
                var today = Instant.FromDateTimeOffset(now).InZone(contact.TimeZone).Date;
                bool due;
                if (trigger.Attribute == DateAttribute.Birthday)
                {
                    if (contact.BirthDate is null || !DateOnly.TryParseExact(contact.BirthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)) continue;
                    var target = today.PlusDays(trigger.DaysBefore ?? 0);
                    due = birth.Month == target.Month && (birth.Day == target.Day || (birth.Month == 2 && birth.Day == 29 && target.Day == 28 && !CalendarSystem.Iso.IsLeapYear(target.Year)));
                }
                else
                {
                    if (!firstOrders.TryGetValue(contact.CustomerId, out var first)) continue;
                    due = Instant.FromDateTimeOffset(first).InZone(contact.TimeZone).Date.PlusDays(trigger.DaysAfter ?? 0) == today;
                }
                if (due && await EnterAsync(journey, contact.CustomerId, now, new JsonObject { ["date"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, ct))
                    entered++;
            }
        }
        return entered;
    }

    /// <summary>
    /// Schedule triggers: on the listed weekdays, once the store-local time passes <c>at</c>, enters every customer matching
    /// the audience rule, once per day (the day is kept in the setting <c>campaigns.schedule.{journey}</c>, written after
    /// the entries, and entering is idempotent per re-entry rule, so a sweep repeated after a crash enters no one twice).
    /// Needs the rule matcher; returns the number of entries.
    /// </summary>
    public async Task<int> SweepSchedulesAsync(CancellationToken ct)
    {
        var journeys = _active.Journeys.Where(j => j.Trigger is ScheduleTrigger).ToList();
        if (journeys.Count == 0 || _rules is null) return 0;
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(await _store.GetSettingAsync("time_zone", "Asia/Shanghai", ct)) ?? CustomerDirectory.DefaultZone;
        var now = _time.GetUtcNow();
        var local = Instant.FromDateTimeOffset(now).InZone(zone);
        var today = local.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var entered = 0;
        Dictionary<string, CustomerContact>? contacts = null;
        foreach (var journey in journeys)
        {
            var trigger = (ScheduleTrigger)journey.Trigger;
            if (!JourneyDuration.TryParseLocalTime(trigger.At, out var at) || local.TimeOfDay < new LocalTime(at.Hour, at.Minute)) continue;
            if (trigger.Days.Count > 0 && !trigger.Days.Contains((DayOfWeek)((int)local.DayOfWeek % 7))) continue;
            var key = "campaigns.schedule." + journey.Id;
            if (await _store.GetSettingAsync(key, "", ct) == today) continue;
            contacts ??= await _directory.LoadAsync(null, ct);
            foreach (var id in contacts.Keys.Order(StringComparer.Ordinal))
                if (await _rules(trigger.Audience, id, ct) &&
                    await EnterAsync(journey, id, now, new JsonObject { ["schedule"] = today }, ct))
                    entered++;
            await _store.SetSettingAsync(key, today, ct, affectsAnalytics: false);
        }
        return entered;
    }

    private Task<Dictionary<string, DateTimeOffset>> FirstOrdersAsync(CancellationToken ct) => OrderFacts.FirstPaidAsync(_store, ct);

    /// <summary>
    /// Puts a customer into a journey unless its re-entry rule forbids it (once ever; once per N days; always). The variant is
    /// drawn here: the journey's experiment's assignment when it names one and the customer is in it (its holdout variant
    /// stores the entry finished, exit_reason holdout), else the split step's (a hash of journey, customer and occurrence),
    /// so results can count entries per variant, holdout included. Returns whether an entry was made.
    /// </summary>
    public async Task<bool> EnterAsync(Journey journey, string customerId, DateTimeOffset due, JsonObject context, CancellationToken ct)
    {
        var last = await _campaigns.LastEntryAsync(journey.Id, customerId, ct);
        var now = _time.GetUtcNow();
        if (last is not null)
        {
            switch (journey.Reentry.Mode)
            {
                case ReentryMode.OnceEver:
                    return false;
                case ReentryMode.OncePer when journey.Reentry.Every is { } every && last.EnteredAt + every > now:
                    return false;
            }
            if (last.Status == "active" && journey.Reentry.Mode != ReentryMode.Always) return false;
        }
        var occurrence = (last?.Occurrence ?? 0) + 1;
        var assigned = await AssignAsync(journey, customerId, ct);
        var variant = assigned?.Variant ??
                      (journey.Steps.OfType<SplitStep>().FirstOrDefault() is { } split ? PickVariant(split, journey.Id, customerId, occurrence) : null);
        var holdout = assigned?.Holdout == true;
        context["entered_at"] = now.ToUnixTimeMilliseconds();
        if (assigned is not null) context["experiment"] = new JsonObject { ["key"] = assigned.Experiment, ["variant"] = assigned.Variant, ["holdout"] = holdout };
        var entered = await _campaigns.TryEnterAsync(journey.Id, customerId, occurrence, journey.Start, due, variant, context.ToJsonString(), ct, holdout);
        return entered.TryGetValue(out var made, out _) && made;
    }

    /// <summary>
    /// The customer's variant of the journey's experiment (source "journey:&lt;id&gt;", which records the exposure), or null when
    /// the journey names none, the host has no Experiments module, the experiment is gone, or the customer is outside it:
    /// the journey then runs as it would without an experiment.
    /// </summary>
    private async Task<ExperimentAssignment?> AssignAsync(Journey journey, string customerId, CancellationToken ct)
    {
        if (journey.Experiment is not { } experiment || Experiments is not { } experiments) return null;
        var assigned = await experiments.AssignAsync(experiment, customerId, "journey:" + journey.Id, ct);
        return assigned.TryGetValue(out var a, out _) && a.InExperiment ? a : null;
    }

    internal static string PickVariant(SplitStep split, string journeyId, string customerId, int occurrence)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{journeyId}\u001f{customerId}\u001f{occurrence}"));
        var roll = (int)(BitConverter.ToUInt64(digest, 0) % 100);
        var total = 0;
        foreach (var v in split.Variants)
        {
            total += v.Weight;
            if (roll < total) return v.Name;
        }
        return split.Variants[^1].Name;
    }

    private async Task ExitCustomerAsync(string journeyId, string customerId, string reason, CancellationToken ct)
    {
        await _campaigns.ExitActiveEntriesAsync(journeyId, customerId, reason, ct);
        await _campaigns.CancelQueuedAsync("journey", journeyId, customerId, reason, ct);
    }

    // ---- steps -------------------------------------------------------------------------------------------------------

    /// <summary>Claims due entries and runs each until it waits or ends. Safe to run from several workers at once.</summary>
    public async Task<AdvanceReport> AdvanceAsync(CancellationToken ct)
    {
        int entries = 0, steps = 0, messages = 0, exited = 0, completed = 0, errors = 0;
        while (true)
        {
            var now = _time.GetUtcNow();
            var claimed = await _campaigns.ClaimDueEntriesAsync(_owner, now, BatchSize, LeaseDuration, ct);
            if (!claimed.TryGetValue(out var batch, out _) || batch.Count == 0) break;
            var contacts = await _directory.LoadAsync(batch.Select(e => e.CustomerId).Distinct().ToList(), ct);
            foreach (var entry in batch)
            {
                entries++;
                try
                {
                    var outcome = await RunEntryAsync(entry, contacts.GetValueOrDefault(entry.CustomerId), ct);
                    steps += outcome.Steps;
                    messages += outcome.Messages;
                    if (outcome.Status == "exited") exited++;
                    else if (outcome.Status == "completed") completed++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One customer's failure never stops the others: the entry leaves with the reason recorded.
                    errors++;
                    await _campaigns.AdvanceEntryAsync(entry.Key, _owner, entry.StepId, new EntryAdvance(entry.StepId, null, "exited", Clip("error: " + e.Message)), ct);
                }
            }
            if (batch.Count < BatchSize) break;
        }
        return new AdvanceReport(entries, steps, messages, exited, completed, errors);
    }

    private sealed record EntryOutcome(string Status, int Steps, int Messages);

    private async Task<EntryOutcome> RunEntryAsync(JourneyEntry entry, CustomerContact? contact, CancellationToken ct)
    {
        var journey = _active.ById.GetValueOrDefault(entry.JourneyId);
        if (journey is null)
            return await FinishAsync(entry, "exited", "journey is not active", null, 0, 0, ct);
        if (contact is null)
            return await FinishAsync(entry, "exited", "customer not found", null, 0, 0, ct);
        var context = entry.ContextJson is { } text ? ParseObject(text) ?? [] : [];
        var stepId = entry.StepId;
        int steps = 0, messages = 0;
        var now = _time.GetUtcNow();
        while (steps < MaxStepsPerRun)
        {
            if (await ExitReasonAsync(journey, entry, ct) is { } reason)
            {
                await _campaigns.CancelQueuedAsync("journey", journey.Id, entry.CustomerId, reason, ct);
                return await FinishAsync(entry, "exited", reason, context, steps, messages, ct);
            }
            var step = journey.FindStep(stepId);
            if (step is null) return await FinishAsync(entry, "exited", $"unknown step '{stepId}'", context, steps, messages, ct);
            steps++;
            var key = $"j:{journey.Id}:{step.Id}:{entry.CustomerId}:{entry.Occurrence}";
            switch (step)
            {
                case WaitStep wait:
                    return await WaitAsync(entry, wait.Next, now + wait.Duration, context, steps, messages, ct);
                case WaitUntilStep until:
                    return await WaitAsync(entry, until.Next, WaitUntil(until, contact, context, now), context, steps, messages, ct);
                case IssueCouponStep coupon:
                    await IssueCouponAsync(coupon, entry.CustomerId, key, context, ct);
                    stepId = coupon.Next;
                    break;
                case SplitStep split:
                    var variant = split.Variants.FirstOrDefault(v => v.Name == entry.Variant) ?? split.Variants[0];
                    if (variant.Holdout || variant.Next is null)
                        return await FinishAsync(entry, "completed", "holdout", context, steps, messages, ct);
                    stepId = variant.Next;
                    break;
                case SendStep send:
                    messages += await SendAsync(journey, entry, send, contact, context, key, now, ct);
                    stepId = send.Next;
                    break;
                case BranchStep branch:
                    stepId = await HoldsAsync(branch.Condition, entry, ct) ? branch.Then : branch.Else;
                    break;
                case AddPointsStep points:
                    await AddPointsAsync(points, journey, entry, key, now, ct);
                    stepId = points.Next;
                    break;
                case ExitStep:
                    return await FinishAsync(entry, "completed", null, context, steps, messages, ct);
                default:
                    return await FinishAsync(entry, "exited", $"step type '{step.Type}' cannot run", context, steps, messages, ct);
            }
        }
        return await FinishAsync(entry, "exited", $"more than {MaxStepsPerRun} steps without a wait", context, steps, messages, ct);
    }

    private async Task<EntryOutcome> WaitAsync(JourneyEntry entry, string next, DateTimeOffset due, JsonObject context, int steps, int messages,
        CancellationToken ct)
    {
        Checked(await _campaigns.AdvanceEntryAsync(entry.Key, _owner, entry.StepId, new EntryAdvance(next, due, "active", null, context.ToJsonString()), ct));
        return new EntryOutcome("active", steps, messages);
    }

    private async Task<EntryOutcome> FinishAsync(JourneyEntry entry, string status, string? reason, JsonObject? context, int steps, int messages,
        CancellationToken ct)
    {
        // The entry keeps the step it ended at, for the record.
        Checked(await _campaigns.AdvanceEntryAsync(entry.Key, _owner, entry.StepId, new EntryAdvance(entry.StepId, null, status, Clip(reason), context?.ToJsonString()), ct));
        return new EntryOutcome(status, steps, messages);
    }

    private static string? Clip(string? reason) => reason is { Length: > 500 } ? reason[..500] : reason;

    /// <summary>A refused compare-and-set is normal (another worker, or the customer exited meanwhile); an invalid request is a bug.</summary>
    private static void Checked(Result<bool> result)
    {
        if (!result.IsSuccess) throw new InvalidOperationException("journey entry update refused: " + result.Error);
    }

    /// <summary>The next HH:mm in the customer's zone (today if still ahead), or the time in a property of the trigger event.</summary>
    internal static DateTimeOffset WaitUntil(WaitUntilStep step, CustomerContact contact, JsonObject context, DateTimeOffset now)
    {
        if (step.EventProperty is { } property)
        {
            var value = context["trigger"]?["properties"]?[property];
            if (value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                return at > now ? at : now;
            if (value is JsonValue n && n.TryGetValue<long>(out var ms)) return DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(ms, now.ToUnixTimeMilliseconds()));
            return now; // no such property: do not hold the customer forever
        }
        if (!JourneyDuration.TryParseLocalTime(step.LocalTime, out var time)) return now; // validation refuses this; never hold a customer on it
        var local = Instant.FromDateTimeOffset(now).InZone(contact.TimeZone);
        var target = local.Date.At(new LocalTime(time.Hour, time.Minute));
        if (target <= local.LocalDateTime) target = target.PlusDays(1);
        return target.InZoneLeniently(contact.TimeZone).ToDateTimeOffset();
    }

    /// <summary>Why the entry must leave before its next step: an exit event (or the trigger's "unless" event) since it entered, or an exit rule now matched.</summary>
    private async Task<string?> ExitReasonAsync(Journey journey, JourneyEntry entry, CancellationToken ct)
    {
        var since = entry.EnteredAt;
        if (journey.Trigger is EventTrigger { Unless: { } unless } && await EventSinceAsync(entry.CustomerId, unless, TriggerTime(entry) ?? since, ct))
            return "exit: " + unless;
        foreach (var condition in journey.ExitWhen)
        {
            switch (condition)
            {
                case ExitOnEvent e when await EventSinceAsync(entry.CustomerId, e.Event, TriggerTime(entry) ?? since, ct):
                    return "exit: " + e.Event;
                case ExitOnSegment s when _rules is not null && await _rules(s.Rule, entry.CustomerId, ct):
                    return "exit: " + s.Rule;
            }
        }
        return null;
    }

    private static DateTimeOffset? TriggerTime(JourneyEntry entry) =>
        entry.ContextJson is { } text && ParseObject(text)?["trigger"]?["time"] is JsonValue v && v.TryGetValue<long>(out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private async Task<bool> HoldsAsync(Condition condition, JourneyEntry entry, CancellationToken ct) => condition switch
    {
        EventSinceEntryCondition e => await EventSinceAsync(entry.CustomerId, e.Event, entry.EnteredAt, ct),
        SegmentCondition s => _rules is not null && await _rules(s.Rule, entry.CustomerId, ct),
        _ => false,
    };

    /// <summary>Whether the customer has an event of the type at or after the time (the events table, by customer and time).</summary>
    public Task<bool> EventSinceAsync(string customerId, string type, DateTimeOffset since, CancellationToken ct) =>
        EventLookups.ExistsSinceAsync(_store, customerId, type, since, ct);

    private async Task IssueCouponAsync(IssueCouponStep step, string customerId, string key, JsonObject context, CancellationToken ct)
    {
        if (Coupons is null)
        {
            context["coupon_error"] = "this engine has no coupon issuer: run journeys in a host that wires Promotions";
            return;
        }
        var issued = await Coupons.IssueAsync(step.Batch, customerId, key, ct);
        if (!issued.TryGetValue(out var coupon, out var error))
        {
            // Out of codes, over a limit, or an unknown batch: the journey goes on; a template that needs the coupon then fails
            // to render and the message records why.
            context["coupon_error"] = error.ToString();
            return;
        }
        context["coupon"] = new JsonObject
        {
            ["code"] = coupon.Code, ["batch"] = coupon.BatchId, ["valid_to"] = coupon.ValidTo.ToUnixTimeMilliseconds(),
            ["amount_off"] = coupon.AmountOff, ["percent_off"] = coupon.PercentOff,
        };
    }

    private async Task<int> SendAsync(Journey journey, JourneyEntry entry, SendStep send, CustomerContact contact, JsonObject context, string key,
        DateTimeOffset now, CancellationToken ct)
    {
        var template = _templates.GetOrAdd(journey.Id + "/" + send.Id + "/" + (send.Template?.GetHashCode() ?? 0), _ =>
            MessageTemplate.Create(new TemplateSource(journey.Id + "/" + send.Id, send.Template?.Subject, send.Template?.Text ?? "", send.Template?.Html))
                .TryGetValue(out var t, out var error) ? t : throw new InvalidOperationException(error.ToString()));
        var address = contact.AddressFor(send.Channel);
        var unsubscribe = _links.Unsubscribe(key);
        var model = new TemplateModel
        {
            Customer = new TemplateCustomer(contact.CustomerId, contact.Name, contact.City, contact.MemberTier),
            Cart = await CartAsync(entry.CustomerId, now, ct),
            Coupon = CouponOf(context),
            JourneyName = journey.Name,
            UnsubscribeUrl = unsubscribe,
            OrderId = context["trigger"]?["properties"]?["order_id"] is JsonValue o && o.TryGetValue<string>(out var orderId) ? orderId : null,
        };
        var rendered = template.Render(model, (url, campaign) => _links.Click(key, url, campaign ?? journey.Id));
        var channel = JourneyJson.ChannelName(send.Channel);
        var purpose = send.Purpose == MessagePurpose.Marketing ? "marketing" : "transactional";
        NewMessage message;
        if (!rendered.TryGetValue(out var body, out var renderError))
            message = new NewMessage(key, "journey", journey.Id, send.Id, entry.Variant, entry.CustomerId, channel, purpose, address, null, null, null,
                unsubscribe, now, "suppressed", "template failed to render: " + renderError);
        else if (address is null)
            message = new NewMessage(key, "journey", journey.Id, send.Id, entry.Variant, entry.CustomerId, channel, purpose, null, body.Subject, body.Text,
                body.Html, unsubscribe, now, "suppressed", $"no {channel} address");
        else
            message = new NewMessage(key, "journey", journey.Id, send.Id, entry.Variant, entry.CustomerId, channel, purpose, address, body.Subject, body.Text,
                _links.WithOpenPixel(body.Html, key), unsubscribe, now);
        var enqueued = await _campaigns.EnqueueAsync([message], ct);
        return enqueued.TryGetValue(out var n, out _) ? n : 0;
    }

    private static TemplateCoupon? CouponOf(JsonObject context)
    {
        if (context["coupon"] is not JsonObject c || c["code"]?.GetValue<string>() is not { } code) return null;
        var expires = c["valid_to"] is JsonValue v && v.TryGetValue<long>(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        if (c["amount_off"] is JsonValue a && a.TryGetValue<long>(out var fen)) return TemplateCoupon.AmountOff(code, fen, expires);
        var percent = c["percent_off"] is JsonValue p && p.TryGetValue<int>(out var pct) ? pct : 0;
        return new TemplateCoupon(code, percent > 0 ? $"{(100 - percent) / 10.0:0.#}折" : "", expires);
    }

    /// <summary>The customer's cart: what they added in the last 7 days, with the catalogue's names and prices, newest first.</summary>
    private async Task<TemplateCart> CartAsync(string customerId, DateTimeOffset now, CancellationToken ct)
    {
        var lines = new List<TemplateCartLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var added in await EventLookups.AddedToCartAsync(_store, customerId, now - TimeSpan.FromDays(7), now, 50, ct))
            if (seen.Add(added.Sku)) lines.Add(new TemplateCartLine(added.Sku, added.Name ?? added.Sku, 1, added.ListPrice ?? 0));
        return new TemplateCart(lines, lines.Sum(l => l.PriceFen * l.Quantity));
    }

    private async Task AddPointsAsync(AddPointsStep step, Journey journey, JourneyEntry entry, string key, DateTimeOffset now, CancellationToken ct)
    {
        // Points are an event other modules (loyalty) consume; the event id is the step's key, so a repeat is a duplicate row skipped.
        await using var session = await IngestSession.BeginAsync(_store, "journey", journey.Id, ct);
        session.WriteEvent(new EventRow
        {
            EventId = key, Type = "custom:points_awarded", Time = now.ToUnixTimeMilliseconds(), CustomerId = entry.CustomerId, Value = step.Points,
            Campaign = journey.Id, Properties = new JsonObject { ["journey"] = journey.Id, ["step"] = step.Id, ["reason"] = step.Reason }.ToJsonString(),
        });
        await session.CommitAsync(1, 0, ct);
    }

    /// <summary>
    /// The dispatcher's send-time check for journey messages: the entry is still in the journey (not exited: a payment since
    /// cancels the reminder) and the customer still matches the journey's conditions. Null when the message may go.
    /// </summary>
    public async ValueTask<string?> StillEligibleAsync(StoredMessage message, CancellationToken ct)
    {
        if (message.SourceKind != "journey") return null;
        var parts = message.IdempotencyKey.Split(':');
        if (parts.Length >= 5 && int.TryParse(parts[^1], CultureInfo.InvariantCulture, out var occurrence))
        {
            var entry = await _campaigns.GetEntryAsync(new EntryKey(message.SourceId, message.CustomerId, occurrence), ct);
            if (entry is { Status: "exited" }) return "left the journey: " + entry.ExitReason;
        }
        if (_active.ById.TryGetValue(message.SourceId, out var journey) && journey.Conditions is { Length: > 0 } rule && _rules is not null &&
            !await _rules(rule, message.CustomerId, ct))
            return "no longer matches the journey's conditions: " + rule;
        return null;
    }

    private static JsonObject? ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
