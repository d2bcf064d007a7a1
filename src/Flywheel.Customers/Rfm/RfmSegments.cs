namespace Flywheel.Customers.Rfm;

/// <summary>The three operating groups of user operations (用户运营): what a marketer does with a segment.</summary>
internal enum OperatingGroup
{
    /// <summary>高价值: exclusive service, early access, double points.</summary>
    HighValue,
    /// <summary>潜力: new-customer pack, threshold coupons, recommendations.</summary>
    Potential,
    /// <summary>流失风险: win-back coupon, survey.</summary>
    ChurnRisk,
}

/// <summary>A named RFM segment with its Chinese and English names, its group and the action recommended for it.</summary>
internal sealed record RfmSegment(string Code, string NameZh, string NameEn, OperatingGroup Group, string ActionZh, string ActionEn);

/// <summary>
/// The eleven RFM segments and the grid that assigns them from the recency score R (1-5) and the combined
/// frequency-monetary score FM = round half up of (F + M) / 2 (docs/rfm.md shows the grid).
/// </summary>
internal static class RfmSegments
{
    private const string HighValueZh = "专属客服、新品抢先购、双倍积分";
    private const string HighValueEn = "Exclusive service, early access to launches, double points";
    private const string PotentialZh = "新客礼包、满减券、个性化推荐";
    private const string PotentialEn = "New-customer pack, threshold coupons, recommendations";
    private const string ChurnZh = "挽回优惠券、流失原因调研";
    private const string ChurnEn = "Win-back coupon, survey on why they left";

    public static readonly RfmSegment Champions = new("champions", "高价值客户", "Champions", OperatingGroup.HighValue, HighValueZh, HighValueEn);
    public static readonly RfmSegment Loyal = new("loyal", "忠诚客户", "Loyal", OperatingGroup.HighValue, HighValueZh, HighValueEn);
    public static readonly RfmSegment PotentialLoyalist = new("potential_loyalist", "潜力客户", "Potential loyalist", OperatingGroup.Potential, PotentialZh, PotentialEn);
    public static readonly RfmSegment New = new("new", "新客户", "New", OperatingGroup.Potential, PotentialZh, PotentialEn);
    public static readonly RfmSegment Promising = new("promising", "有潜力新客", "Promising", OperatingGroup.Potential, PotentialZh, PotentialEn);
    public static readonly RfmSegment NeedAttention = new("need_attention", "需关注", "Need attention", OperatingGroup.Potential, PotentialZh, PotentialEn);
    public static readonly RfmSegment AboutToSleep = new("about_to_sleep", "即将沉睡", "About to sleep", OperatingGroup.ChurnRisk, ChurnZh, ChurnEn);
    public static readonly RfmSegment AtRisk = new("at_risk", "流失风险客户", "At risk", OperatingGroup.ChurnRisk, ChurnZh, ChurnEn);
    public static readonly RfmSegment CantLose = new("cant_lose", "重要挽留客户", "Can't lose them", OperatingGroup.ChurnRisk, ChurnZh, ChurnEn);
    public static readonly RfmSegment Hibernating = new("hibernating", "沉睡客户", "Hibernating", OperatingGroup.ChurnRisk, ChurnZh, ChurnEn);
    public static readonly RfmSegment Lost = new("lost", "已流失客户", "Lost", OperatingGroup.ChurnRisk, ChurnZh, ChurnEn);

    /// <summary>Every segment, best first: the order reports list them in.</summary>
    public static IReadOnlyList<RfmSegment> All { get; } =
        [Champions, Loyal, PotentialLoyalist, New, Promising, NeedAttention, AboutToSleep, AtRisk, CantLose, Hibernating, Lost];

    /// <summary>Rows: R = 5 down to 1; columns: FM = 1 to 5.</summary>
    private static readonly RfmSegment[][] Grid =
    [
        [New, PotentialLoyalist, PotentialLoyalist, Champions, Champions],
        [Promising, PotentialLoyalist, Loyal, Champions, Champions],
        [Promising, PotentialLoyalist, NeedAttention, Loyal, Loyal],
        [AboutToSleep, AboutToSleep, NeedAttention, AtRisk, CantLose],
        [Lost, Hibernating, AtRisk, CantLose, CantLose],
    ];

    public static int CombinedFm(int f, int m) => (f + m + 1) / 2;

    public static RfmSegment Of(int r, int f, int m)
    {
        if (r is < 1 or > 5 || f is < 1 or > 5 || m is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(r), "scores are 1 to 5");
        return InCell(r, CombinedFm(f, m));
    }

    /// <summary>The segment of the grid's cell: recency score <paramref name="r"/> and combined score <paramref name="fm"/>, 1 to 5 each.</summary>
    public static RfmSegment InCell(int r, int fm) => Grid[5 - r][fm - 1];

    public static RfmSegment? Find(string code) => All.FirstOrDefault(s => s.Code == code);

    public static string GroupCode(OperatingGroup group) => group switch
    {
        OperatingGroup.HighValue => "high_value",
        OperatingGroup.Potential => "potential",
        _ => "churn_risk",
    };

    public static string GroupNameZh(OperatingGroup group) => group switch
    {
        OperatingGroup.HighValue => "高价值",
        OperatingGroup.Potential => "潜力",
        _ => "流失风险",
    };
}
