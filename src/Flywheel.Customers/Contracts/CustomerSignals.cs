using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Contracts;

/// <summary><see cref="ICustomerSignals"/> over the host's lifecycle and segment services; compiled rules are kept by their text.</summary>
internal sealed class CustomerSignals : ICustomerSignals
{
    private readonly SegmentService _segments;
    private readonly FieldRegistry _fields;
    private readonly Dictionary<string, SegmentRule?> _rules = new(StringComparer.Ordinal);

    public CustomerSignals(LifecycleService lifecycle, SegmentService segments, FieldRegistry fields)
    {
        _segments = segments;
        _fields = fields;
        lifecycle.StageChanged += transitions => StageChanged?.Invoke([.. transitions.Select(t => new StageChange(t.CustomerId, t.From, t.To))]);
        segments.MembershipChanged += change => MembershipChanged?.Invoke(new MembershipChange(change.Segment, change.Entered, change.Exited));
    }

    public event Action<IReadOnlyList<StageChange>>? StageChanged;

    public event Action<MembershipChange>? MembershipChanged;

    public string? CheckRule(string rule) => SegmentRule.TryCompile(rule, _fields, out _, out var error) ? null : error.ToString();

    public async ValueTask<bool> MatchesAsync(string rule, string customerId, CancellationToken ct)
    {
        SegmentRule? compiled;
        lock (_rules)
            if (!_rules.TryGetValue(rule, out compiled))
                _rules[rule] = compiled = SegmentRule.TryCompile(rule, _fields, out var parsed, out _) ? parsed : null;
        return compiled is not null && await _segments.MatchesAsync(compiled, customerId, ct);
    }
}
