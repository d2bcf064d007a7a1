namespace Flywheel.Customers.Contracts;

/// <summary>A customer moved from one lifecycle stage to another (<c>From</c> is null for a first stage).</summary>
public sealed record StageChange(string CustomerId, string? From, string To);

/// <summary>Customers entered or left a segment.</summary>
public sealed record MembershipChange(string Segment, IReadOnlyList<string> Entered, IReadOnlyList<string> Exited);

/// <summary>
/// Customers' live state as other modules follow it inside a host: lifecycle and segment changes as they happen, and rule
/// checks against the host's fields (CLV fields included once a fit is loaded). Journeys use it to enter, branch and exit.
/// </summary>
public interface ICustomerSignals
{
    /// <summary>Lifecycle stages changed (raised by the lifecycle refresh, on its thread).</summary>
    event Action<IReadOnlyList<StageChange>>? StageChanged;

    /// <summary>Segment membership changed (raised by the segment service after an ingest or a refresh).</summary>
    event Action<MembershipChange>? MembershipChanged;

    /// <summary>Null when <paramref name="rule"/> compiles against the host's fields, else where and what is wrong.</summary>
    string? CheckRule(string rule);

    /// <summary>Whether one customer matches a rule now; false for a rule that does not compile.</summary>
    ValueTask<bool> MatchesAsync(string rule, string customerId, CancellationToken ct);
}
