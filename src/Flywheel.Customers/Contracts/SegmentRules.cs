using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Contracts;

/// <summary>The segment rule language as other modules check it (a journey's branch rule, a schedule's audience rule).</summary>
public static class SegmentRules
{
    /// <summary>A check of rule text against every field a rule may name: null when the rule compiles, else where and what is wrong.</summary>
    public static Func<string, string?> Checker() => Checker(AllFields());

    /// <summary>The built-in fields plus RFM, lifecycle and CLV ones (CLV fields are null until a host loads a fit), for checks outside a host.</summary>
    internal static FieldRegistry AllFields()
    {
        var fields = FieldRegistry.CreateDefault();
        new CustomerInsights().RegisterFields(fields);
        return fields;
    }

    /// <summary>A check of rule text against <paramref name="fields"/>: null when the rule compiles, else where and what is wrong ("line 1, column 5: ...").</summary>
    internal static Func<string, string?> Checker(FieldRegistry fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return rule => SegmentRule.TryCompile(rule, fields, out _, out var error) ? null : error.ToString();
    }
}
