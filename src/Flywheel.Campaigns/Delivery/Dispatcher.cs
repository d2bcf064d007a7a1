using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Runtime;
using Flywheel.Primitives;
using Flywheel.Campaigns.Storage;

namespace Flywheel.Campaigns.Delivery;

/// <summary>What one <see cref="Dispatcher.RunOnceAsync"/> did with the messages it claimed.</summary>
internal sealed record DispatchReport(
    int Claimed,
    int Delivered,
    int Deferred,
    int Suppressed,
    int Retried,
    int Dead,
    int LeaseLost,
    int Errors,
    IReadOnlyList<string> ErrorMessages)
{
    public static readonly DispatchReport Empty = new(0, 0, 0, 0, 0, 0, 0, 0, []);

    /// <summary>The sum of two reports (for <see cref="Dispatcher.RunAsync"/> totals and tests that run several passes).</summary>
    public DispatchReport Add(DispatchReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Claimed + other.Claimed, Delivered + other.Delivered, Deferred + other.Deferred, Suppressed + other.Suppressed,
            Retried + other.Retried, Dead + other.Dead, LeaseLost + other.LeaseLost, Errors + other.Errors,
            [.. ErrorMessages.Concat(other.ErrorMessages).Take(MaxErrorMessages)]);
    }

    internal const int MaxErrorMessages = 20;
}

/// <summary>
/// Sends the queued messages: claims a batch under a lease, and for each message checks, in this order, the suppression list,
/// consent (as it is now, so an opt-out stops queued messages too), the address, the journey's own eligibility hook, quiet
/// hours and frequency caps (marketing only), then sends through the channel and records the outcome. A transient failure
/// is retried with the policy's backoff until <see cref="SendPolicy.MaxAttempts"/>, then dead-lettered; a permanent one is
/// dead at once. Every completion is compare-and-set on the lease: once the lease ran out and another dispatcher reclaimed a
/// message, this one's late answer is refused (counted as <see cref="DispatchReport.LeaseLost"/>). See docs/delivery.md.
/// Thread-safe; run one per process (or several, each with its own owner name).
/// </summary>
internal sealed class Dispatcher
{
    private readonly CampaignStore _store;
    private readonly ChannelRegistry _channels;
    private readonly CustomerDirectory _directory;
    private readonly SendPolicy _policy;
    private readonly TimeProvider _time;
    private readonly string _owner;
    private readonly Func<StoredMessage, CancellationToken, ValueTask<string?>>? _stillEligible;

    /// <param name="owner">This worker's lease name, unique per process and never reused after a restart (see <see cref="NewOwnerName"/>).</param>
    /// <param name="stillEligible">Asked just before a send: a reason when the customer no longer matches (the message is suppressed with it), null to go on.</param>
    /// <exception cref="ArgumentException">An invalid policy (every field named) or an empty owner.</exception>
    public Dispatcher(CampaignStore store, ChannelRegistry channels, CustomerDirectory directory, SendPolicy policy, TimeProvider time, string owner,
        Func<StoredMessage, CancellationToken, ValueTask<string?>>? stillEligible = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (owner.Length > 128 || owner.Any(char.IsControl))
            throw new ArgumentException($"owner '{owner}' must be 1 to 128 printable characters", nameof(owner));
        var errors = policy.Validate();
        if (errors.Count > 0)
            throw new ArgumentException(string.Join("; ", errors), nameof(policy));
        _store = store;
        _channels = channels;
        _directory = directory;
        _policy = policy;
        _time = time;
        _owner = owner;
        _stillEligible = stillEligible;
    }

    public string Owner => _owner;

    public SendPolicy Policy => _policy;

    /// <summary>'{host}:{32 hex}': unique per process start.</summary>
    public static string NewOwnerName() => $"{Environment.MachineName}:{Guid.NewGuid():N}";

    /// <summary>Claims up to <see cref="SendPolicy.BatchSize"/> due messages and settles each (see the class summary).</summary>
    /// <exception cref="InvalidOperationException">The claim itself failed (the store refused the request).</exception>
    public async Task<DispatchReport> RunOnceAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var claimed = await _store.ClaimAsync(_owner, now, _policy.BatchSize, _policy.LeaseDuration, ct);
        if (!claimed.TryGetValue(out var messages, out var error))
            throw new InvalidOperationException($"claim failed: {error}");
        if (messages.Count == 0) return DispatchReport.Empty;

        var contacts = await _directory.LoadAsync(messages.Select(m => m.CustomerId).Distinct(StringComparer.Ordinal).ToArray(), ct);
        var tally = new Tally(messages.Count);
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = _policy.Concurrency, CancellationToken = ct },
            async (message, token) =>
            {
                try
                {
                    tally.Count(await ProcessAsync(message, contacts.GetValueOrDefault(message.CustomerId), token));
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // A store or hook failure: the message stays 'sending' and comes back when its lease runs out.
                    tally.Error($"message {message.MessageId}: {e.GetType().Name}: {e.Message}");
                }
            });
        return tally.Report();
    }

    /// <summary>
    /// Runs <see cref="RunOnceAsync"/> until cancelled, straight again after a pass that claimed messages, else after
    /// <see cref="SendPolicy.PollInterval"/> on the injected clock. A pass that fails (the database is away) is reported to
    /// <paramref name="onPass"/> as one error and retried after the poll interval; the loop never dies of it.
    /// </summary>
    /// <param name="onPass">Called after every pass that claimed something or failed (for logs and metrics).</param>
    public async Task RunAsync(CancellationToken ct, Action<DispatchReport>? onPass = null)
    {
        while (!ct.IsCancellationRequested)
        {
            DispatchReport report;
            try
            {
                report = await RunOnceAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                report = DispatchReport.Empty with { Errors = 1, ErrorMessages = [$"dispatch pass failed: {e.GetType().Name}: {e.Message}"] };
            }
            if (report.Claimed > 0 || report.Errors > 0) onPass?.Invoke(report);
            if (report.Claimed > 0) continue;
            try
            {
                await Task.Delay(_policy.PollInterval, _time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private enum Settled
    {
        Delivered,
        Deferred,
        Suppressed,
        Retried,
        Dead,
        LeaseLost,
    }

    private async Task<(Settled Outcome, string? Error)> ProcessAsync(StoredMessage m, CustomerContact? contact, CancellationToken ct)
    {
        // A message whose worker kept crashing comes back with ever more attempts: stop before another try.
        if (m.Attempts > _policy.MaxAttempts)
            return await DeadAsync(m, $"gave up after {m.Attempts - 1} attempts (the last ones never completed; lease expired)", ct);
        if (ChannelOf(m.Channel) is not { } kind)
            return await DeadAsync(m, $"unknown channel '{m.Channel}' (email, sms, wecom or webhook)", ct);
        var purpose = m.Purpose == "transactional" ? MessagePurpose.Transactional : MessagePurpose.Marketing;
        var recipient = m.Recipient is { Length: > 0 } r ? r : contact?.AddressFor(kind);

        // 1. The global suppression list: the address on this channel (or every channel), or the customer on every channel.
        if (recipient is not null && await _store.IsSuppressedAsync(m.Channel, Normalize(kind, recipient), ct))
            return await SuppressAsync(m, $"suppressed: {m.Channel} address {recipient} is on the suppression list", ct);
        if (await _store.IsSuppressedAsync(CampaignValues.AnyChannel, m.CustomerId, ct))
            return await SuppressAsync(m, $"suppressed: customer {m.CustomerId} is on the suppression list", ct);

        // 2. Consent as it is now: a withdrawal since the message was queued stops it.
        if (contact is null)
            return await SuppressAsync(m, $"no consent: customer {m.CustomerId} is not in the directory", ct);
        if (!contact.Allows(kind, purpose))
            return await SuppressAsync(m, $"no consent: {CustomerContact.ConsentChannel(kind)} {m.Purpose} not granted", ct);

        // 3. Somewhere to send it.
        if (recipient is null)
            return await SuppressAsync(m, $"no address: customer {m.CustomerId} has no {kind} address", ct);

        // 4. The journey's own check (the customer bought meanwhile, left the segment...).
        if (_stillEligible is not null && await _stillEligible(m, ct) is { } notEligible)
            return await SuppressAsync(m, notEligible, ct);

        var now = _time.GetUtcNow();
        if (purpose == MessagePurpose.Marketing)
        {
            // 5. Quiet hours: not dropped, deferred to the end of the customer's night.
            if (_policy.QuietUntil(now, contact.TimeZone) is { } until)
            {
                var changed = await Done(_store.DeferAsync(m.MessageId, _owner, until, $"quiet hours until {until:yyyy-MM-dd HH:mm zzz} ({contact.TimeZone.Id})", ct));
                return changed ? (Settled.Deferred, null) : (Settled.LeaseLost, null);
            }

            // 6. Frequency caps: a capped message is skipped, not kept waiting (like smart sending).
            var windows = _policy.FrequencyWindows(now, contact.TimeZone);
            if (windows.Count > 0 && !await Done(_store.TryReserveFrequencyAsync(m.CustomerId, m.MessageId, windows, ct)))
            {
                var caps = string.Join(", ", windows.Select(w => $"{w.WindowKey} max {w.Cap}"));
                return await SuppressAsync(m, $"frequency cap: {caps} reached for customer {m.CustomerId}", ct);
            }
        }

        // 7. Send.
        if (!_channels.TryGet(kind, out var channel, out var missing))
            return await DeadAsync(m, missing!.Message, ct);
        var outbound = new OutboundMessage(m.MessageId, m.IdempotencyKey, kind, purpose, m.CustomerId, recipient, m.Subject, m.BodyText ?? "",
            m.BodyHtml, m.UnsubscribeUrl);
        var result = await channel.SendAsync(outbound, ct);
        // Once the provider has answered, record it even if we are being stopped: a lost answer means a repeat send.
        ct = CancellationToken.None;
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                return await Done(_store.MarkDeliveredAsync(m.MessageId, _owner, result.ProviderMessageId, ct))
                    ? (Settled.Delivered, null)
                    : (Settled.LeaseLost, $"message {m.MessageId} was delivered but its lease had passed to another worker");
            case DeliveryOutcome.Transient when m.Attempts < _policy.MaxAttempts:
                var retryAt = _time.GetUtcNow() + _policy.BackoffAfter(m.Attempts);
                return await Done(_store.MarkFailedAsync(m.MessageId, _owner, $"attempt {m.Attempts}: {result.Error}", retryAt, ct))
                    ? (Settled.Retried, null)
                    : (Settled.LeaseLost, null);
            case DeliveryOutcome.Transient:
                return await DeadAsync(m, $"attempt {m.Attempts} of {_policy.MaxAttempts}: {result.Error}", ct);
            default:
                return await DeadAsync(m, $"permanent: {result.Error}", ct);
        }
    }

    private async Task<(Settled, string?)> SuppressAsync(StoredMessage m, string reason, CancellationToken ct) =>
        await Done(_store.MarkSuppressedAsync(m.MessageId, _owner, reason, ct)) ? (Settled.Suppressed, null) : (Settled.LeaseLost, null);

    private async Task<(Settled, string?)> DeadAsync(StoredMessage m, string error, CancellationToken ct) =>
        await Done(_store.MarkFailedAsync(m.MessageId, _owner, error, null, ct)) ? (Settled.Dead, null) : (Settled.LeaseLost, null);

    private static async Task<bool> Done(Task<Result<bool>> call)
    {
        var result = await call;
        return result.TryGetValue(out var value, out var error) ? value : throw new InvalidOperationException(error.ToString());
    }

    /// <summary>The delivery channel a queue row names (the store's channel column: email, sms, wecom, webhook).</summary>
    public static ChannelKind? ChannelOf(string channel) => channel.ToLowerInvariant() switch
    {
        "email" => ChannelKind.Email,
        "sms" => ChannelKind.Sms,
        "wecom" => ChannelKind.WeCom,
        "webhook" => ChannelKind.Webhook,
        _ => null,
    };

    /// <summary>Email addresses are stored lower-case on the suppression list; other addresses are compared as they are.</summary>
    private static string Normalize(ChannelKind kind, string address) =>
        kind == ChannelKind.Email ? address.Trim().ToLowerInvariant() : address.Trim();

    private sealed class Tally(int claimed)
    {
        private readonly int[] _counts = new int[Enum.GetValues<Settled>().Length];
        private readonly List<string> _errors = [];
        private int _errorCount;

        public void Count((Settled Outcome, string? Error) settled)
        {
            Interlocked.Increment(ref _counts[(int)settled.Outcome]);
            if (settled.Error is not null) Note(settled.Error);
        }

        public void Error(string message)
        {
            Interlocked.Increment(ref _errorCount);
            Note(message);
        }

        private void Note(string message)
        {
            lock (_errors)
                if (_errors.Count < DispatchReport.MaxErrorMessages) _errors.Add(message);
        }

        public DispatchReport Report()
        {
            lock (_errors)
                return new(claimed, _counts[(int)Settled.Delivered], _counts[(int)Settled.Deferred], _counts[(int)Settled.Suppressed],
                    _counts[(int)Settled.Retried], _counts[(int)Settled.Dead], _counts[(int)Settled.LeaseLost], _errorCount, [.. _errors]);
        }
    }
}
