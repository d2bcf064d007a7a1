using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Contracts;

/// <summary>The segment rule language as other modules check it (a journey's branch rule, a schedule's audience rule).</summary>
public static class SegmentRules
{
    /// <summary>A check of rule text against <paramref name="fields"/>: null when the rule compiles, else where and what is wrong ("line 1, column 5: ...").</summary>
    public static Func<string, string?> Checker(FieldRegistry fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return rule => SegmentRule.TryCompile(rule, fields, out _, out var error) ? null : error.ToString();
    }
}
