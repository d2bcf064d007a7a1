using Flywheel.Analytics.Contracts;
using System.Globalization;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using Flywheel.Primitives;

namespace Flywheel.Customers.Personas;

/// <summary>One value of a persona dimension: how common it is in the segment and in the whole base, and the lift.</summary>
internal sealed record PersonaValue(string Value, string LabelZh, string LabelEn, long Count, double Share, long BaseCount, double BaseShare)
{
    /// <summary>Share in the segment / share in the base; null when the base never has the value.</summary>
    public double? Lift => BaseShare > 0 ? Share / BaseShare : null;
}

/// <summary>A dimension (gender, age band …) with its values, most common in the segment first.</summary>
internal sealed record PersonaDimension(string Code, string NameZh, string NameEn, IReadOnlyList<PersonaValue> Values);

/// <summary>A value that sets the segment apart from the base, with a sentence a marketer can read.</summary>
internal sealed record PersonaHighlight(PersonaDimension Dimension, PersonaValue Value, string TextZh, string TextEn);

internal sealed record PersonaResult(
    string Segment, long Customers, long BaseCustomers, long? Aov, long? BaseAov, double? OrdersPerCustomer, double? BaseOrdersPerCustomer,
    IReadOnlyList<PersonaDimension> Dimensions, IReadOnlyList<PersonaHighlight> Highlights)
{
    /// <summary>The day the persona describes (members resolved and ages counted then).</summary>
    public DateOnly AsOf { get; init; }
}

/// <summary>
/// Who is in a segment: distributions of profile and behaviour attributes over its members next to the whole customer
/// base, and the values that most distinguish it (lift = share in segment / share in base). Base: every known
/// customer. Behaviour comes from the event index (paid orders, events); profiles from <see cref="ProfileTable"/>.
/// Pure: no I/O, no clock (ages are counted at <paramref name="asOf"/>).
/// </summary>
internal static class PersonaEngine
{
    /// <summary>Values shared by less than this in the segment are not highlighted, however high their lift.</summary>
    public const double MinHighlightShare = 0.05;

    /// <param name="currency">The store's currency: AOV bands are labelled with its symbol (default: CNY, ¥).</param>
    public static Result<PersonaResult> Run(EventIndex index, ProfileTable profiles, string segment, IReadOnlySet<string> members, DateOnly asOf,
        int highlights = 8, Currency currency = default)
    {
        if (members.Count == 0) return Error.Invalid("segment", $"segment '{segment}' has no members");
        var facts = Facts(index, profiles, asOf);
        var inSegment = new bool[facts.Length];
        var size = 0;
        for (var i = 0; i < facts.Length; i++)
            if (members.Contains(facts[i].CustomerId))
            {
                inSegment[i] = true;
                size++;
            }
        if (size == 0) return Error.Invalid("segment", $"none of segment '{segment}''s {members.Count} members is a known customer");

        var dimensions = new List<PersonaDimension>();
        foreach (var (code, zh, en, get, label) in Dimensions)
        {
            var segmentCounts = new Dictionary<string, long>(StringComparer.Ordinal);
            var baseCounts = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var i = 0; i < facts.Length; i++)
                foreach (var value in get(facts[i]))
                {
                    baseCounts[value] = baseCounts.GetValueOrDefault(value) + 1;
                    if (inSegment[i]) segmentCounts[value] = segmentCounts.GetValueOrDefault(value) + 1;
                }
            var values = baseCounts.Keys
                .Select(v =>
                {
                    var (lz, le) = label(v, currency.Symbol);
                    var count = segmentCounts.GetValueOrDefault(v);
                    return new PersonaValue(v, lz, le, count, (double)count / size, baseCounts[v], (double)baseCounts[v] / facts.Length);
                })
                .OrderByDescending(v => v.Count).ThenByDescending(v => v.BaseCount).ThenBy(v => v.Value, StringComparer.Ordinal)
                .ToList();
            dimensions.Add(new PersonaDimension(code, zh, en, values));
        }

        var picked = dimensions
            .SelectMany(d => d.Values.Where(v => v.Share >= MinHighlightShare && v.Lift is > 1.0 && v.Value != Unknown).Select(v => (Dimension: d, Value: v)))
            // Weight the lift by how much of the segment it describes: a 3x value held by 60% says more than a 5x value held by 6%.
            .OrderByDescending(x => (x.Value.Share - x.Value.BaseShare) * Math.Log(x.Value.Lift!.Value))
            .Take(highlights)
            .Select(x => new PersonaHighlight(x.Dimension, x.Value,
                string.Create(CultureInfo.InvariantCulture,
                    $"{x.Dimension.NameZh}「{x.Value.LabelZh}」占 {x.Value.Share * 100:0.0}%，全体为 {x.Value.BaseShare * 100:0.0}%，是全体的 {x.Value.Lift:0.0} 倍"),
                string.Create(CultureInfo.InvariantCulture,
                    $"{x.Dimension.NameEn} \"{x.Value.LabelEn}\": {x.Value.Share * 100:0.0}% of the segment vs {x.Value.BaseShare * 100:0.0}% of all customers ({x.Value.Lift:0.0}x)")))
            .ToList();

        long segmentGmv = 0, segmentOrders = 0, baseGmv = 0, baseOrders = 0;
        for (var i = 0; i < facts.Length; i++)
        {
            baseGmv = checked(baseGmv + facts[i].Gmv);
            baseOrders += facts[i].Orders;
            if (!inSegment[i]) continue;
            segmentGmv = checked(segmentGmv + facts[i].Gmv);
            segmentOrders += facts[i].Orders;
        }
        return new PersonaResult(segment, size, facts.Length, Average(segmentGmv, segmentOrders), Average(baseGmv, baseOrders),
            (double)segmentOrders / size, facts.Length == 0 ? null : (double)baseOrders / facts.Length, dimensions, picked) { AsOf = asOf };
    }

    private static long? Average(long gmv, long orders) => orders > 0 ? (long)(((Int128)gmv * 2 + orders) / ((Int128)orders * 2)) : null;

    internal const string Unknown = "unknown";

    /// <summary>What a persona looks at for one customer.</summary>
    internal sealed record Fact(
        string CustomerId, string Gender, string AgeBand, string Province, string CityTier, string FirstChannel, string Category, string PriceBand,
        string Frequency, string PeakHour, long Gmv, long Orders);

    private static readonly (string Code, string Zh, string En, Func<Fact, IEnumerable<string>> Get, Func<string, string, (string, string)> Label)[] Dimensions =
    [
        ("gender", "性别", "Gender", f => [f.Gender], (v, _) => v switch
        {
            "female" => ("女", "female"), "male" => ("男", "male"), _ => ("未知", "unknown"),
        }),
        ("age_band", "年龄段", "Age band", f => [f.AgeBand], (v, _) => v == Unknown ? ("未知", "unknown") : (v + " 岁", v)),
        ("province", "省份", "Province", f => [f.Province], (v, _) => Same(v)),
        ("city_tier", "城市等级", "City tier", f => [f.CityTier], (v, _) => v switch
        {
            "tier1" => ("一线", "tier 1"), "new_tier1" => ("新一线", "new tier 1"), "tier2" => ("二线", "tier 2"), "tier3" => ("三线", "tier 3"),
            "tier4" => ("四线", "tier 4"), "tier5" => ("五线及以下", "tier 5"), _ => ("未知", v),
        }),
        ("first_channel", "首次来源渠道", "First channel", f => [f.FirstChannel], (v, _) => Same(v)),
        ("preferred_category", "偏好品类", "Preferred category", f => [f.Category], (v, _) => Same(v)),
        ("price_band", "客单价区间", "AOV band", f => [f.PriceBand], (v, symbol) => v == Unknown ? ("未购买", "no purchase") : (symbol + v, symbol + v)),
        ("purchase_frequency", "购买次数", "Orders", f => [f.Frequency], (v, _) => (v + " 单", v + (v == "1" ? " order" : " orders"))),
        ("peak_hour", "最活跃时段", "Most active hour", f => [f.PeakHour], (v, _) => v == Unknown ? ("无行为", "no activity") : (v + " 点", v + ":00")),
    ];

    private static (string, string) Same(string v) => v == Unknown ? ("未知", "unknown") : (v, v);

    internal static Fact[] Facts(EventIndex index, ProfileTable profiles, DateOnly asOf)
    {
        var calendar = new LocalCalendar(index.TimeZone);
        var facts = new Fact[profiles.Count];
        for (var row = 0; row < profiles.Count; row++)
        {
            var id = profiles.CustomerIds[row];
            var v = index.FindVisitor(id);
            string firstChannel = Unknown, category = Unknown, priceBand = Unknown;
            long gmv = 0, orders = 0;
            var hours = new int[24];
            if (v >= 0)
            {
                var categories = new Dictionary<int, int>();
                for (var o = index.OrderStart[v]; o < index.OrderStart[v + 1]; o++)
                {
                    gmv = checked(gmv + index.OrderGmv[o]);
                    orders++;
                    categories[index.OrderCategory[o]] = categories.GetValueOrDefault(index.OrderCategory[o]) + 1;
                }
                if (categories.Count > 0)
                {
                    var top = categories.OrderByDescending(c => c.Value).ThenBy(c => c.Key).First().Key;
                    category = index.Categories.Decode(top) ?? Unknown;
                }
                if (orders > 0) priceBand = PriceBand(gmv / orders);
                for (var e = index.EventStart[v]; e < index.EventStart[v + 1]; e++)
                {
                    if (firstChannel == Unknown && index.EventChannel[e] != StringTable.None)
                        firstChannel = index.Channels.Decode(index.EventChannel[e])!;
                    hours[calendar.HourOf(index.EventTime[e])]++;
                }
                if (firstChannel == Unknown && index.OrderStart[v] < index.OrderStart[v + 1] && index.OrderChannel[index.OrderStart[v]] != StringTable.None)
                    firstChannel = index.Channels.Decode(index.OrderChannel[index.OrderStart[v]])!;
            }
            facts[row] = new Fact(id, profiles.Gender[row] ?? Unknown, AgeBand(profiles.BirthDate[row], asOf), profiles.Province[row] ?? Unknown,
                profiles.CityTier[row] ?? Unknown, firstChannel, category, priceBand, Frequency(orders), PeakHour(hours), gmv, orders);
        }
        return facts;
    }

    /// <summary>The local hour with most of the customer's events (the earliest such hour on a tie), or unknown.</summary>
    private static string PeakHour(int[] hours)
    {
        var peak = 0;
        for (var h = 1; h < 24; h++)
            if (hours[h] > hours[peak]) peak = h;
        return hours[peak] == 0 ? Unknown : peak.ToString("00", CultureInfo.InvariantCulture);
    }

    internal static string AgeBand(DateOnly? birth, DateOnly asOf)
    {
        if (birth is not { } b || b > asOf) return Unknown;
        var age = asOf.Year - b.Year - (asOf < b.AddYears(asOf.Year - b.Year) ? 1 : 0);
        return age switch
        {
            < 18 => "<18",
            < 25 => "18-24",
            < 30 => "25-29",
            < 35 => "30-34",
            < 40 => "35-39",
            < 50 => "40-49",
            _ => "50+",
        };
    }

    /// <summary>Average order value bands in yuan (fen in, label out).</summary>
    internal static string PriceBand(long aovFen) => aovFen switch
    {
        < 5_000 => "0-50",
        < 10_000 => "50-100",
        < 20_000 => "100-200",
        < 50_000 => "200-500",
        < 100_000 => "500-1000",
        _ => "1000+",
    };

    internal static string Frequency(long orders) => orders switch
    {
        0 => "0",
        1 => "1",
        2 => "2",
        <= 5 => "3-5",
        _ => "6+",
    };
}
