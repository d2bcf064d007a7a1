using Flywheel.Storage;
namespace Flywheel.Campaigns.Storage;

/// <summary>The values the campaign tables' status and kind columns take (their CHECK constraints list the same).</summary>
internal static class CampaignValues
{
    public static readonly IReadOnlyList<string> JourneyStatuses = ["draft", "active", "paused", "archived"];
    public static readonly IReadOnlyList<string> EntryStatuses = ["active", "completed", "exited"];
    public static readonly IReadOnlyList<string> MessageStatuses = ["queued", "sending", "delivered", "failed", "dead", "suppressed", "cancelled", "held_out"];
    /// <summary>What a message may be enqueued as: to send, or recorded only (a control group's held_out, an up-front suppression).</summary>
    public static readonly IReadOnlyList<string> EnqueueStatuses = ["queued", "held_out", "suppressed"];
    public static readonly IReadOnlyList<string> SourceKinds = ["journey", "broadcast", "test"];
    public static readonly IReadOnlyList<string> Purposes = ["marketing", "transactional"];
    public static readonly IReadOnlyList<string> TokenKinds = ["click", "unsubscribe"];
    public static readonly IReadOnlyList<string> BroadcastStatuses = ["planned", "planning", "sending", "done", "cancelled"];

    /// <summary>The suppression channel that covers every channel.</summary>
    public const string AnyChannel = "*";
}

/// <summary>A journey to save: its definition is JSON owned by the journey engine.</summary>
internal sealed record JourneyDraft(string? JourneyId, string? Name, string? DefinitionJson, string? Status = "draft");

internal sealed record StoredJourney(string JourneyId, string Name, string DefinitionJson, string Status, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Names one customer's pass through a journey.</summary>
internal readonly record struct EntryKey(string JourneyId, string CustomerId, int Occurrence);

/// <summary>One customer's pass through a journey. <see cref="DueAt"/> null: waiting for an event rather than a timer.</summary>
internal sealed record JourneyEntry(string JourneyId, string CustomerId, int Occurrence, string Status, string StepId, DateTimeOffset? DueAt,
    string? Variant, DateTimeOffset EnteredAt, DateTimeOffset UpdatedAt, string? ExitReason, string? ContextJson, string? LeaseOwner,
    DateTimeOffset? LeaseUntil)
{
    public EntryKey Key => new(JourneyId, CustomerId, Occurrence);
}

/// <summary>
/// What an entry becomes on <see cref="CampaignStore.AdvanceEntryAsync"/>: its next step and when it is due (null: waits for
/// an event), its status (active, completed, exited), why it exited, and its new context (null keeps the stored one).
/// </summary>
internal sealed record EntryAdvance(string? NewStepId, DateTimeOffset? NewDueAt, string? Status = "active", string? ExitReason = null, string? ContextJson = null);

/// <summary>
/// One message to enqueue. <see cref="IdempotencyKey"/> names it once and for all (e.g. <c>j:welcome:s2:c42:1</c>): a second
/// enqueue with the same key is skipped. <see cref="Status"/> is queued (to send), held_out (a control group member,
/// recorded, never sent) or suppressed (recorded, never sent; <see cref="LastError"/> says why, e.g. a template that failed to render).
/// </summary>
internal sealed record NewMessage(
    string IdempotencyKey,
    string SourceKind,
    string SourceId,
    string? StepId,
    string? Variant,
    string CustomerId,
    string Channel,
    string Purpose,
    string? Recipient,
    string? Subject,
    string? BodyText,
    string? BodyHtml,
    string? UnsubscribeUrl,
    DateTimeOffset DueAt,
    string Status = "queued",
    string? LastError = null);

/// <summary>A message in the queue or its delivery record.</summary>
internal sealed record StoredMessage(
    long MessageId,
    string IdempotencyKey,
    string SourceKind,
    string SourceId,
    string? StepId,
    string? Variant,
    string CustomerId,
    string Channel,
    string Purpose,
    string? Recipient,
    string? Subject,
    string? BodyText,
    string? BodyHtml,
    string? UnsubscribeUrl,
    string Status,
    DateTimeOffset DueAt,
    int Attempts,
    string? LeaseOwner,
    DateTimeOffset? LeaseUntil,
    string? ProviderMessageId,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClickedAt,
    string? ConvertedOrderId,
    long? Revenue);

/// <summary>Which messages to list; every filter given must hold. Newest first, before <see cref="BeforeId"/> when given.</summary>
internal sealed record MessageQuery(string? CustomerId = null, string? SourceKind = null, string? SourceId = null, string? Status = null,
    long? BeforeId = null, int Limit = 100);

/// <summary>A page of messages, newest first; <see cref="NextBeforeId"/> is the next page's cursor, null when none follows.</summary>
internal sealed record MessagePage(IReadOnlyList<StoredMessage> Messages, long? NextBeforeId);

internal sealed record Suppression(string Channel, string Address, string Reason, DateTimeOffset CreatedAt);

/// <summary>What a click or unsubscribe token stands for.</summary>
internal sealed record ResolvedToken(long MessageId, string Kind, string? Url, string CustomerId);

internal sealed record BroadcastDraft(string? BroadcastId, string? Name, string? DefinitionJson, string? Segment);

internal sealed record StoredBroadcast(string BroadcastId, string Name, string DefinitionJson, string Status, string? Segment,
    long Planned, long Enqueued, long HeldOut, string? PlanCursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// One planner batch of a broadcast: the customers after <see cref="ExpectedCursor"/> up to <see cref="NewCursor"/>
/// (the last customer id of the batch), <see cref="Planned"/> of them considered, and the messages they produced.
/// </summary>
internal sealed record BroadcastBatch(string? ExpectedCursor, string NewCursor, long Planned, IReadOnlyList<NewMessage> Messages);

/// <summary>What a broadcast batch stored: messages inserted as queued and as held_out, and the broadcast after it.</summary>
internal sealed record BroadcastBatchResult(int Enqueued, int HeldOut, StoredBroadcast Broadcast);

/// <summary>
/// A campaign's results for one (step, variant). Rows with <see cref="StepId"/> null count journey entries by variant
/// (Entered, Active, Completed, Exited); the other rows count messages. Delivered counts every message a provider
/// accepted; Opened, Clicked and Converted count messages with those times set; Revenue sums the converted orders' revenue.
/// </summary>
internal sealed record CampaignStatsRow(string? StepId, string? Variant, long Entered, long Active, long Completed, long Exited,
    long Queued, long Sending, long Delivered, long Failed, long Dead, long Suppressed, long Cancelled, long HeldOut,
    long Opened, long Clicked, long Converted, long Revenue);
