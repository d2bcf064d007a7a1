using Flywheel.Primitives;

namespace Flywheel.Experiments.Domain.Definitions;

/// <summary>
/// An experiment's states (draft → running → stopped, never back) and what may change in each. Once units are assigned their
/// variant must not move, so a running or stopped experiment keeps its variants, weights, salt, unit, segment and metrics; it may be
/// renamed, its hypothesis reworded, and (running only) its traffic raised — which only lets new units in (see <see cref="Assignment.Bucketing"/>).
/// </summary>
internal static class ExperimentLifecycle
{
    public const string Draft = "draft", Running = "running", Stopped = "stopped";

    /// <summary>Null when <paramref name="next"/> may replace <paramref name="current"/> in <paramref name="status"/>, else the conflict naming the field.</summary>
    public static Error? ChangeError(ExperimentDefinition current, ExperimentDefinition next, string status)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        if (current.Key != next.Key) return Error.Invalid("$.key", $"the body's key '{next.Key}' differs from the experiment's '{current.Key}'");
        if (status == Draft) return null;
        string Frozen(string what) => $"{what} cannot change once the experiment has started (it is {status}): units already assigned would move; create a new experiment instead";
        if (!current.Variants.SequenceEqual(next.Variants)) return Error.Conflict("$.variants", Frozen("the variants (keys, names, weights, holdout)"));
        if (current.Unit != next.Unit) return Error.Conflict("$.unit", Frozen("unit"));
        if (current.Segment != next.Segment) return Error.Conflict("$.segment", Frozen("segment"));
        if (current.WindowDays != next.WindowDays) return Error.Conflict("$.window_days", Frozen("window_days"));
        if (current.Confidence != next.Confidence) return Error.Conflict("$.confidence", Frozen("confidence"));
        if (current.Metrics.Primary != next.Metrics.Primary || !current.Metrics.Secondary.SequenceEqual(next.Metrics.Secondary)
            || !current.Metrics.Guardrails.SequenceEqual(next.Metrics.Guardrails))
            return Error.Conflict("$.metrics", Frozen("metrics"));
        if (next.Traffic != current.Traffic)
        {
            if (status != Running) return Error.Conflict("$.traffic", $"a {status} experiment's traffic cannot change");
            if (next.Traffic < current.Traffic)
                return Error.Conflict("$.traffic", FormattableString.Invariant(
                    $"traffic can only grow while the experiment runs ({current.Traffic} now): lowering it would drop units that were already in"));
        }
        return null;
    }
}
