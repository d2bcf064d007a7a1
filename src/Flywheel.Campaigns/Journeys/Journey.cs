using Flywheel.Customers.Contracts;
using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// A journey definition: what starts it (<see cref="Trigger"/>), who may enter again (<see cref="Reentry"/>), what ends it
/// early (<see cref="ExitWhen"/>, checked before every step), a rule the customer must still match at send time
/// (<see cref="Conditions"/>) and a graph of steps from <see cref="Start"/>. The JSON form is snake_case
/// (<see cref="JourneyJson"/>; YAML in the same shape, <see cref="JourneyYaml"/>); <see cref="JourneyValidator"/> checks it.
/// <see cref="Experiment"/> names an experiment of the Experiments module: each entering customer is assigned a variant; its
/// holdout variant ends the entry at once (exit_reason holdout), another variant is the entry's variant (a split step then
/// follows the variant of that name), a customer outside the experiment runs the journey as if it named none.
/// </summary>
internal sealed record Journey(
    string Id,
    string Name,
    string? Description,
    Trigger Trigger,
    ReentryRule Reentry,
    IReadOnlyList<ExitCondition> ExitWhen,
    string? Conditions,
    string Start,
    IReadOnlyList<Step> Steps,
    string? Experiment = null)
{
    /// <summary>The first step with that id, or null.</summary>
    public Step? FindStep(string id) => Steps.FirstOrDefault(s => s.Id == id);
}

// ---- triggers ----

/// <summary>What makes a customer enter a journey. The JSON "type" is <see cref="Type"/>.</summary>
internal abstract record Trigger
{
    public abstract string Type { get; }
}

/// <summary>An event of type <see cref="Event"/>; with <see cref="Unless"/>, only when no such event follows within <see cref="Within"/> ("not followed by").</summary>
internal sealed record EventTrigger(string Event, string? Unless = null, TimeSpan? Within = null) : Trigger
{
    public override string Type => "event";
}

/// <summary>The customer enters the saved segment named <see cref="Segment"/>.</summary>
internal sealed record SegmentEntryTrigger(string Segment) : Trigger
{
    public override string Type => "segment_entry";
}

/// <summary>The customer leaves the saved segment named <see cref="Segment"/>.</summary>
internal sealed record SegmentExitTrigger(string Segment) : Trigger
{
    public override string Type => "segment_exit";
}

/// <summary>The customer moves to lifecycle stage <see cref="To"/> (from <see cref="From"/> when given); stages as in Flywheel.Customers.Contracts.LifecycleStages.</summary>
internal sealed record LifecycleTrigger(string To, string? From = null) : Trigger
{
    public override string Type => "lifecycle";
}

/// <summary>The date attribute a <see cref="DateTrigger"/> counts from.</summary>
internal enum DateAttribute
{
    Birthday,
    FirstOrder,
}

/// <summary>
/// A date: <see cref="DateAttribute.Birthday"/> with <see cref="DaysBefore"/> (0 = on the day) every year, or
/// <see cref="DateAttribute.FirstOrder"/> with <see cref="DaysAfter"/> (0 = the day of the first order).
/// </summary>
internal sealed record DateTrigger(DateAttribute Attribute, int? DaysBefore = null, int? DaysAfter = null) : Trigger
{
    public override string Type => "date";
}

/// <summary>
/// At <see cref="At"/> (HH:mm, the customer's local time) on <see cref="Days"/> (every day when empty), every customer
/// matching the segment rule <see cref="Audience"/> enters.
/// </summary>
internal sealed record ScheduleTrigger(string At, IReadOnlyList<DayOfWeek> Days, string Audience) : Trigger
{
    public override string Type => "schedule";
}

// ---- re-entry, exits, conditions ----

internal enum ReentryMode
{
    /// <summary>A customer enters the journey at most once.</summary>
    OnceEver,

    /// <summary>At most once per <see cref="ReentryRule.Every"/>.</summary>
    OncePer,

    /// <summary>Whenever the trigger fires (and the customer is not in the journey already).</summary>
    Always,
}

internal sealed record ReentryRule(ReentryMode Mode, TimeSpan? Every = null)
{
    public static ReentryRule OnceEver { get; } = new(ReentryMode.OnceEver);
}

/// <summary>What ends a customer's journey early; checked before every step.</summary>
internal abstract record ExitCondition;

/// <summary>The customer did an event of this type since entering ({"event": "order_paid"}).</summary>
internal sealed record ExitOnEvent(string Event) : ExitCondition;

/// <summary>The customer matches the segment rule ({"segment": "rule text"}).</summary>
internal sealed record ExitOnSegment(string Rule) : ExitCondition;

/// <summary>A branch condition.</summary>
internal abstract record Condition;

/// <summary>The customer did an event of this type since entering the journey ({"event_since_entry": "order_paid"}).</summary>
internal sealed record EventSinceEntryCondition(string Event) : Condition;

/// <summary>The customer matches the segment rule ({"segment": "rule text"}).</summary>
internal sealed record SegmentCondition(string Rule) : Condition;

// ---- steps ----

/// <summary>One step of a journey's graph. The JSON "type" is <see cref="Type"/>.</summary>
internal abstract record Step(string Id)
{
    public abstract string Type { get; }
}

/// <summary>Waits <see cref="Duration"/> (positive, at most 365 days).</summary>
internal sealed record WaitStep(string Id, TimeSpan Duration, string Next) : Step(Id)
{
    public override string Type => "wait";
}

/// <summary>
/// Waits until the next <see cref="LocalTime"/> (HH:mm) in the customer's time zone, or until the time held by the trigger
/// event's property <see cref="EventProperty"/> (e.g. a presale's balance_starts_at). Exactly one of the two is set.
/// </summary>
internal sealed record WaitUntilStep(string Id, string? LocalTime, string Next, string? EventProperty = null) : Step(Id)
{
    public override string Type => "wait_until";
}

/// <summary>Issues one coupon from the coupon batch <see cref="Batch"/>; later templates see it as coupon.*.</summary>
internal sealed record IssueCouponStep(string Id, string Batch, string Next) : Step(Id)
{
    public override string Type => "issue_coupon";
}

/// <summary>A random split; weights sum to 100. A holdout variant ends the journey for its customers (the control group).</summary>
internal sealed record SplitStep(string Id, IReadOnlyList<SplitVariant> Variants) : Step(Id)
{
    public override string Type => "split";
}

internal sealed record SplitVariant(string Name, int Weight, string? Next, bool Holdout = false);

/// <summary>Sends a message rendered from <see cref="Template"/> on <see cref="Channel"/>.</summary>
internal sealed record SendStep(string Id, ChannelKind Channel, MessagePurpose Purpose, SendTemplate? Template, string Next) : Step(Id)
{
    public override string Type => "send";
}

/// <summary>A message's Handlebars texts: <see cref="Subject"/> (email), <see cref="Text"/>, <see cref="Html"/> (email).</summary>
internal sealed record SendTemplate(string? Subject, string Text, string? Html = null);

/// <summary>Goes to <see cref="Then"/> when <see cref="Condition"/> holds, else to <see cref="Else"/>.</summary>
internal sealed record BranchStep(string Id, Condition Condition, string Then, string Else) : Step(Id)
{
    public override string Type => "branch";
}

/// <summary>Adds <see cref="Points"/> loyalty points.</summary>
internal sealed record AddPointsStep(string Id, long Points, string? Reason, string Next) : Step(Id)
{
    public override string Type => "add_points";
}

/// <summary>Ends the journey.</summary>
internal sealed record ExitStep(string Id) : Step(Id)
{
    public override string Type => "exit";
}
