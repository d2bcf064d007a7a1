using Flywheel.Ingestion.Contracts;

namespace Flywheel.Campaigns.Journeys;

/// <summary>What <see cref="JourneyValidator"/> checks names against. Every check that needs the store is optional.</summary>
internal sealed record JourneyValidationContext
{
    /// <summary>The scanner-only context: template variables and event types are checked, segment rules are not compiled.</summary>
    public static JourneyValidationContext Default { get; } = new();

    /// <summary>The unknown variables of a template text (empty when it is fine); by default <see cref="TemplateVariables.Unknown"/>.</summary>
    public Func<string, IReadOnlyList<string>> UnknownVariables { get; init; } = TemplateVariables.Unknown;

    /// <summary>Compiles a segment rule: null when it compiles, else the error ("line 1, column 5: ..."). Null: rules are only checked to be non-empty.</summary>
    public Func<string, string?>? CompileRule { get; init; }

    /// <summary>Whether an event type exists; by default Flywheel.Ingestion's <see cref="EventTypes.IsValid"/> (known types and custom:&lt;name&gt;).</summary>
    public Func<string, bool> IsValidEventType { get; init; } = EventTypes.IsValid;

    /// <summary>Whether a saved segment (segment_entry / segment_exit triggers) exists; null: not checked.</summary>
    public Func<string, bool>? SegmentExists { get; init; }

    /// <summary>Why a literal tracked link's address is refused, or null; by default http(s) to any host (<see cref="Templates.LinkPolicy.AnyHost"/>).</summary>
    public Func<string, string?> CheckLink { get; init; } = Templates.LinkPolicy.AnyHost.Refusal;

    /// <summary>Whether a coupon batch exists; null: not checked.</summary>
    public Func<string, bool>? CouponBatchExists { get; init; }
}
