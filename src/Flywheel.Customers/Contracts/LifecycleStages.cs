namespace Flywheel.Customers.Contracts;

/// <summary>The lifecycle stages, in the order a customer usually passes through them (docs/lifecycle.md).</summary>
public static class LifecycleStages
{
    public const string Prospect = "prospect";
    public const string New = "new";
    public const string Active = "active";
    public const string AtRisk = "at_risk";
    public const string Lapsed = "lapsed";
    public const string Churned = "churned";
    public const string Reactivated = "reactivated";

    public static IReadOnlyList<string> All { get; } = [Prospect, New, Active, AtRisk, Lapsed, Churned, Reactivated];

    public static string NameZh(string stage) => stage switch
    {
        Prospect => "潜在客户", New => "新客", Active => "活跃", AtRisk => "有流失风险", Lapsed => "沉默", Churned => "已流失", Reactivated => "回流",
        _ => stage,
    };
}
