using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Tests.Segments;

/// <summary>
/// The columnar evaluator against a straightforward LINQ reference over the raw rows it was built from, on random
/// stores (a fixed list of seeds, so a failure reproduces). Times are whole seconds, as the index keeps them.
/// </summary>
public sealed class SegmentEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private static readonly int[] Seeds = [1, 2, 3, 4, 5, 6, 7, 8];

    private static readonly string[] Channels = ["xiaohongshu", "douyin", "tmall", "jd", "wechat", "pinduoduo"];
    private static readonly string[] Types = ["page_view", "product_view", "add_to_cart", "search", "order_paid"];
    private static readonly string[] Categories = ["beauty", "snacks", "apparel", "美妆", "美妆>面霜", "个护>美妆>口红"];

    private sealed record RefOrder(long Ms, string? Channel, long Gmv, long Refund, string Category)
    {
        public bool Purchase => !(Refund > 0 && Refund >= Gmv);
    }

    private sealed record RefEvent(long Ms, string Type, string? Channel);

    /// <summary>One customer as raw rows, with the field values computed the obvious way.</summary>
    private sealed class Customer(ProfileTable.ProfileRow profile)
    {
        public ProfileTable.ProfileRow Profile { get; } = profile;
        public List<RefOrder> Orders { get; } = [];
        public List<RefEvent> Events { get; } = [];
        public string Id => Profile.CustomerId;

        private static long Since(string window)
        {
            var count = int.Parse(window[..^1], System.Globalization.CultureInfo.InvariantCulture);
            var local = Now.ToOffset(China);
            return (window[^1] switch
            {
                'h' => local.AddHours(-count),
                'd' => local.AddDays(-count),
                'w' => local.AddDays(-7 * count),
                'm' => local.AddMonths(-count),
                _ => local.AddYears(-count),
            }).ToUnixTimeMilliseconds();
        }

        private static bool In(long ms, string? window) => window is null || (ms >= Since(window) && ms <= Now.ToUnixTimeMilliseconds());

        public static DateOnly Day(long ms) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(China).DateTime);

        private static int Today => DateOnly.FromDateTime(Now.ToOffset(China).DateTime).DayNumber;

        public int OrdersIn(string? w = null) => Orders.Count(o => o.Purchase && In(o.Ms, w));
        public decimal Gmv(string? w = null) => Orders.Where(o => o.Purchase && In(o.Ms, w)).Sum(o => o.Gmv - o.Refund) / 100m;
        public decimal? Aov(string? w = null) => OrdersIn(w) == 0 ? null
            : Math.Round((decimal)Orders.Where(o => o.Purchase && In(o.Ms, w)).Sum(o => o.Gmv - o.Refund) / OrdersIn(w), MidpointRounding.AwayFromZero) / 100m;
        public decimal Refunds(string? w = null) => Orders.Where(o => In(o.Ms, w)).Sum(o => o.Refund) / 100m;
        public bool BoughtCategory(string category, string? w) => Orders.Any(o => o.Purchase && In(o.Ms, w) && KeepsCategory(o.Category, category));

        /// <summary>The category path rule, written out: the path, a path under it, or a path with a level of that name.</summary>
        private static bool KeepsCategory(string path, string value) =>
            path == value || path.StartsWith(value + ">", StringComparison.Ordinal) || path.Split('>').Contains(value);
        private RefOrder? LastPurchase => Orders.Where(o => o.Purchase).OrderBy(o => o.Ms).LastOrDefault();
        private RefOrder? FirstPurchase => Orders.Where(o => o.Purchase).OrderBy(o => o.Ms).FirstOrDefault();
        public int? DaysSinceLastOrder => LastPurchase is { } o ? Today - Day(o.Ms).DayNumber : null;
        public int? DaysSinceFirstOrder => FirstPurchase is { } o ? Today - Day(o.Ms).DayNumber : null;
        public DateOnly? LastOrderDate => LastPurchase is { } o ? Day(o.Ms) : null;
        public DateOnly? FirstOrderDate => FirstPurchase is { } o ? Day(o.Ms) : null;
        public string? FirstOrderChannel => FirstPurchase?.Channel;

        public string? FirstChannel
        {
            get
            {
                var e = Events.Where(x => x.Channel is not null).OrderBy(x => x.Ms).FirstOrDefault();
                var o = Orders.Where(x => x.Channel is not null).OrderBy(x => x.Ms).FirstOrDefault();
                return e is not null && (o is null || e.Ms <= o.Ms) ? e.Channel : o?.Channel;
            }
        }

        public string? LastChannel
        {
            get
            {
                var e = Events.Where(x => x.Channel is not null).OrderBy(x => x.Ms).LastOrDefault();
                var o = Orders.Where(x => x.Channel is not null).OrderBy(x => x.Ms).LastOrDefault();
                return e is not null && (o is null || e.Ms > o.Ms) ? e.Channel : o?.Channel;
            }
        }

        public bool SawChannel(string channel, string w) =>
            Events.Any(e => e.Channel == channel && In(e.Ms, w)) || Orders.Any(o => o.Channel == channel && In(o.Ms, w));

        public int EventsOf(string type, string? w) => Events.Count(e => e.Type == type && In(e.Ms, w));
        public int? LastEventDays(string? type) =>
            Events.Where(e => type is null || e.Type == type).Select(e => (long?)e.Ms).Max() is { } ms ? Today - Day(ms).DayNumber : null;

        public int? Age => Profile.BirthDate is { } b ? DateOnly.FromDayNumber(Today).Year - b.Year - (DateOnly.FromDayNumber(Today) < b.AddYears(DateOnly.FromDayNumber(Today).Year - b.Year) ? 1 : 0) : null;
        public double? CityTier => BuiltInFields.CityTierNumber(Profile.CityTier);
        public DateOnly? SignupDate => Profile.SignupAt is { } ms ? Day(ms) : null;
        public int? DaysSinceSignup => SignupDate is { } d ? Today - d.DayNumber : null;
        public bool Consent(string channel, string purpose = "marketing") => Profile.Consents?.Contains(channel + "/" + purpose) == true;
        public string? Rfm => RfmOf(Id);

        public static bool Eq(string? a, string b) => a is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A stand-in RFM module: a segment derived from the id.</summary>
    private static string? RfmOf(string id) => (id.GetHashCode(StringComparison.Ordinal) & 3) switch
    {
        0 => "at_risk",
        1 => "champions",
        2 => "loyal",
        _ => null,
    };

    private static readonly (string Rule, Func<Customer, bool> Reference)[] Rules =
    [
        ("""orders(90d) >= 2 and days_since_last_order <= 30 and first_channel in ("xiaohongshu", "douyin") and rfm_segment = "at_risk" and city_tier <= 2 and consent("sms")""",
            c => c.OrdersIn("90d") >= 2 && c.DaysSinceLastOrder <= 30 && (Customer.Eq(c.FirstChannel, "xiaohongshu") || Customer.Eq(c.FirstChannel, "douyin"))
                 && Customer.Eq(c.Rfm, "at_risk") && c.CityTier <= 2 && c.Consent("sms")),
        ("orders(90d) >= 2", c => c.OrdersIn("90d") >= 2),
        ("orders >= 3 or (gmv() > 1000 and not consent(\"wecom\"))", c => c.OrdersIn() >= 3 || (c.Gmv() > 1000 && !c.Consent("wecom"))),
        ("orders(24h) >= 1 or orders(2w) = 0", c => c.OrdersIn("24h") >= 1 || c.OrdersIn("2w") == 0),
        ("gmv(30d) >= 500", c => c.Gmv("30d") >= 500),
        ("gmv(6m) between 100.5 and 2000", c => c.Gmv("6m") is >= 100.5m and <= 2000),
        ("aov(1y) between 100 and 600.5", c => c.Aov("1y") is >= 100 and <= 600.5m),
        ("aov(90d) != 100", c => c.Aov("90d") is { } a && a != 100),
        ("aov(90d) not between 50 and 150", c => c.Aov("90d") is { } a && a is not (>= 50 and <= 150)),
        ("refunds(6m) > 0", c => c.Refunds("6m") > 0),
        ("refunds() = 0 and orders() >= 1", c => c.Refunds() == 0 && c.OrdersIn() >= 1),
        ("categories(180d) contains \"beauty\"", c => c.BoughtCategory("beauty", "180d")),
        ("categories(1y) not contains \"美妆\"", c => !c.BoughtCategory("美妆", "1y")),
        ("categories(180d) contains \"面霜\" or categories(90d) contains \"个护>美妆\"", c => c.BoughtCategory("面霜", "180d") || c.BoughtCategory("个护>美妆", "90d")),
        ("days_since_last_order <= 30", c => c.DaysSinceLastOrder <= 30),
        ("days_since_first_order > 200", c => c.DaysSinceFirstOrder > 200),
        ("last_order_date >= 2026-09-01", c => c.LastOrderDate >= new DateOnly(2026, 9, 1)),
        ("first_order_date < date(\"2026-03-01\")", c => c.FirstOrderDate < new DateOnly(2026, 3, 1)),
        ("last_order_date not between 2026-06-01 and 2026-08-31", c => c.LastOrderDate is { } d && (d < new DateOnly(2026, 6, 1) || d > new DateOnly(2026, 8, 31))),
        ("first_order_channel in (\"tmall\", \"JD\")", c => Customer.Eq(c.FirstOrderChannel, "tmall") || Customer.Eq(c.FirstOrderChannel, "jd")),
        ("first_channel in (\"xiaohongshu\", \"douyin\")", c => Customer.Eq(c.FirstChannel, "xiaohongshu") || Customer.Eq(c.FirstChannel, "douyin")),
        ("last_channel != \"douyin\"", c => c.LastChannel is { } ch && !Customer.Eq(ch, "douyin")),
        ("first_channel not in (\"tmall\")", c => c.FirstChannel is { } ch && !Customer.Eq(ch, "tmall")),
        ("channels(30d) contains \"wechat\"", c => c.SawChannel("wechat", "30d")),
        ("channels(90d) not contains \"douyin\"", c => !c.SawChannel("douyin", "90d")),
        ("events(\"add_to_cart\", 7d) >= 1", c => c.EventsOf("add_to_cart", "7d") >= 1),
        ("events(\"page_view\", 12w) between 2 and 5", c => c.EventsOf("page_view", "12w") is >= 2 and <= 5),
        ("events(\"search\") >= 3", c => c.EventsOf("search", null) >= 3),
        ("events(\"login\", 30d) = 0", c => c.EventsOf("login", "30d") == 0),
        ("last_event_days(\"product_view\") <= 14", c => c.LastEventDays("product_view") <= 14),
        ("last_event_days() > 60", c => c.LastEventDays(null) > 60),
        ("gender = \"female\" and age between 25 and 35", c => Customer.Eq(c.Profile.Gender, "female") && c.Age is >= 25 and <= 35),
        ("age != 30 and birth_date < 1995-01-01", c => c.Age is { } a && a != 30 && c.Profile.BirthDate < new DateOnly(1995, 1, 1)),
        ("province in (\"浙江\", \"广东\") or city contains \"州\"", c => c.Profile.Province is "浙江" or "广东" || c.Profile.City?.Contains('州', StringComparison.Ordinal) == true),
        ("city not contains \"州\"", c => c.Profile.City is { } city && !city.Contains('州', StringComparison.Ordinal)),
        ("city_tier <= 2", c => c.CityTier <= 2),
        ("city_tier < 1.2", c => c.CityTier < 1.2),
        ("city_tier in (1.5, 3)", c => c.CityTier is 1.5 or 3),
        ("signup_channel = \"Douyin\"", c => Customer.Eq(c.Profile.SignupChannel, "douyin")),
        ("signup_date >= 2026-01-01 and days_since_signup < 300", c => c.SignupDate >= new DateOnly(2026, 1, 1) && c.DaysSinceSignup < 300),
        ("member_tier not in (\"gold\")", c => c.Profile.MemberTier is { } t && !Customer.Eq(t, "gold")),
        ("member_tier = \"gold\" or not (member_tier = \"silver\")", c => Customer.Eq(c.Profile.MemberTier, "gold") || !Customer.Eq(c.Profile.MemberTier, "silver")),
        ("consent(\"sms\") and not consent(\"email\")", c => c.Consent("sms") && !c.Consent("email")),
        ("consent(\"sms\", \"transactional\") = false", c => !c.Consent("sms", "transactional")),
        ("consent(\"wecom\") != true or rfm_segment in (\"champions\", \"loyal\")", c => !c.Consent("wecom") || c.Rfm is "champions" or "loyal"),
        ("not (orders(90d) >= 1)", c => !(c.OrdersIn("90d") >= 1)),
        ("not (age >= 30 or city_tier = 1) and orders() > 0", c => !(c.Age >= 30 || c.CityTier == 1) && c.OrdersIn() > 0),
    ];

    private static (List<Customer> Customers, ProfileTable Profiles, EventIndex Index) RandomStore(int seed, int customers = 400)
    {
        var random = new Random(seed);
        var nowMs = Now.ToUnixTimeMilliseconds();
        long Time() => nowMs + random.NextInt64(-420L * 86_400, 2L * 86_400) * 1000;
        T? Maybe<T>(T value) where T : class => random.Next(5) == 0 ? null : value;
        string[] tiers = ["tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5"];
        string[] provinces = ["浙江", "广东", "四川", "北京"];
        string[] cities = ["杭州", "广州", "成都", "北京", "温州"];
        string[] genders = ["male", "female", "unknown"];
        string[] consents = ["sms/marketing", "email/marketing", "wecom/marketing", "sms/transactional"];

        var list = Enumerable.Range(0, customers).Select(i => new Customer(new ProfileTable.ProfileRow(
            "c" + random.Next(1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + "-" + i,
            Maybe(genders[random.Next(3)]),
            random.Next(4) == 0 ? null : new DateOnly(1970, 1, 1).AddDays(random.Next(365 * 40)),
            Maybe(provinces[random.Next(provinces.Length)]),
            Maybe(cities[random.Next(cities.Length)]),
            random.Next(7) == 0 ? null : tiers[random.Next(tiers.Length)],
            Maybe(random.Next(2) == 0 ? "douyin" : "tmall"),
            random.Next(4) == 0 ? null : Time(),
            Maybe(random.Next(2) == 0 ? "gold" : "silver"),
            [.. consents.Where(_ => random.Next(2) == 0)])))
            .OrderBy(c => c.Id, StringComparer.Ordinal).ToList();

        var b = new EventIndexBuilder.Builder();
        foreach (var c in list) b.AddCustomer(c.Id, c.Profile.Province);
        for (var k = 0; k < Categories.Length; k++) b.AddProduct("sku" + k, Categories[k]);
        for (var e = 0; e < customers * 12; e++)
        {
            var type = Types[random.Next(Types.Length)];
            var channel = random.Next(4) == 0 ? null : Channels[random.Next(Channels.Length)];
            var ms = Time();
            if (random.Next(10) == 0)
            {
                b.AddEvent(null, "anon" + random.Next(50), type, ms, channel, null, null, null, null, null, 0);
                continue;
            }
            var c = list[random.Next(list.Count)];
            c.Events.Add(new RefEvent(ms, type, channel));
            b.AddEvent(c.Id, null, type, ms, channel, null, null, null, null, null, 0);
        }
        for (var o = 0; o < customers * 4; o++)
        {
            // A few customers buy most: repeat buyers and windows with several orders.
            var c = list[random.Next(4) == 0 ? random.Next(Math.Min(20, list.Count)) : random.Next(list.Count)];
            var gmv = random.Next(10) == 0 ? 0 : random.NextInt64(1_000, 100_000);
            var refund = random.Next(6) switch { 0 => gmv, 1 => gmv / 3, _ => 0 };
            var k = random.Next(Categories.Length);
            var order = new RefOrder(Time(), random.Next(5) == 0 ? null : Channels[random.Next(Channels.Length)], gmv, refund, Categories[k]);
            c.Orders.Add(order);
            b.AddOrder(c.Id, order.Ms, order.Channel, null, gmv, refund, 1, "sku" + k);
        }
        return (list, ProfileTable.FromRows(list.Select(c => c.Profile)), b.Build("Asia/Shanghai"));
    }

    [Fact]
    public void Evaluate_MatchesTheLinqReference_OnRandomStores()
    {
        var fields = RuleBinderTests.WithRfm(RfmOf);
        var telling = new HashSet<string>(StringComparer.Ordinal);
        foreach (var seed in Seeds)
        {
            var (customers, profiles, index) = RandomStore(seed);
            var data = new SegmentData(profiles, index);
            foreach (var (text, reference) in Rules)
            {
                Assert.True(SegmentRule.TryCompile(text, fields, out var rule, out var error), error?.ToString());
                var expected = customers.Where(reference).Select(c => c.Id).ToList();
                var actual = SegmentEvaluator.Evaluate(rule, data, Now).CustomerIds.ToList();
                Assert.True(expected.SequenceEqual(actual),
                    $"seed {seed}, rule {text}: expected {expected.Count} members, got {actual.Count}; first difference: " +
                    string.Join(", ", expected.Except(actual).Take(3).Select(id => "missing " + id).Concat(actual.Except(expected).Take(3).Select(id => "extra " + id))));
                if (expected.Count > 0 && expected.Count < customers.Count) telling.Add(text);
            }
        }
        // Every rule but the one about an event type nobody sent selects some customers and not others somewhere.
        Assert.Equal(Rules.Length - 1, telling.Count);
    }

    [Fact]
    public void EvaluateAll_SharesColumns_AndGivesWhatEachRuleGivesAlone()
    {
        var fields = RuleBinderTests.WithRfm(RfmOf);
        var (_, profiles, index) = RandomStore(11);
        var data = new SegmentData(profiles, index);
        var rules = Rules.Select(r => SegmentRule.TryCompile(r.Rule, fields, out var rule, out _) ? rule : throw new InvalidOperationException(r.Rule)).ToList();
        var together = SegmentEvaluator.EvaluateAll(rules, data, Now);
        for (var i = 0; i < rules.Count; i++)
            Assert.Equal(SegmentEvaluator.Evaluate(rules[i], data, Now).CustomerIds, together[i].CustomerIds);
    }

    [Fact]
    public void EvaluateAll_ComputingColumnsInParallel_GivesTheSameMembers()
    {
        var fields = RuleBinderTests.WithRfm(RfmOf);
        foreach (var seed in Seeds.Take(3))
        {
            var (_, profiles, index) = RandomStore(seed);
            var rules = Rules.Select(r => SegmentRule.TryCompile(r.Rule, fields, out var rule, out _) ? rule : throw new InvalidOperationException(r.Rule)).ToList();
            var parallel = SegmentEvaluator.EvaluateAll(rules, new SegmentData(profiles, index), Now, parallelFrom: 0);
            var serial = SegmentEvaluator.EvaluateAll(rules, new SegmentData(profiles, index), Now, parallelFrom: int.MaxValue);
            for (var i = 0; i < rules.Count; i++) Assert.Equal(serial[i].CustomerIds, parallel[i].CustomerIds);
        }
    }

    [Fact]
    public void EvaluateRows_ForAFewCustomers_AgreesWithTheFullEvaluation()
    {
        var fields = RuleBinderTests.WithRfm(RfmOf);
        foreach (var seed in Seeds.Take(4))
        {
            var (_, profiles, index) = RandomStore(seed);
            var random = new Random(seed);
            var rows = Enumerable.Range(0, profiles.Count).Where(_ => random.Next(10) == 0).ToArray();
            var rules = Rules.Select(r => SegmentRule.TryCompile(r.Rule, fields, out var rule, out _) ? rule : throw new InvalidOperationException(r.Rule)).ToList();
            // A fresh SegmentData, so the few rows are looked up one by one instead of through the full map.
            var subset = SegmentEvaluator.EvaluateRows(rules, new SegmentData(profiles, index), Now, rows);
            var data = new SegmentData(profiles, index);
            for (var i = 0; i < rules.Count; i++)
            {
                var full = SegmentEvaluator.Evaluate(rules[i], data, Now);
                Assert.Equal(rows.Where(full.ContainsRow).ToHashSet(), subset[i]);
            }
        }
    }

    [Fact]
    public void SegmentData_FindsVisitors_WhenProfilesAndIndexDisagreeOnWhoExists()
    {
        // The index has a customer the profiles lack (b) and an anonymous visitor; the profiles have one the index lacks,
        // appended out of order as a profile refresh appends new customers (a0).
        var b = new EventIndexBuilder.Builder();
        foreach (var id in new[] { "a", "b", "c" }) b.AddCustomer(id, null);
        b.AddEvent(null, "x", "page_view", Now.ToUnixTimeMilliseconds(), "douyin", null, null, null, null, null, 0);
        b.AddOrder("c", Now.AddDays(-1).ToUnixTimeMilliseconds(), "jd", null, 100, 0, 1, null);
        b.AddOrder("a", Now.AddDays(-2).ToUnixTimeMilliseconds(), "jd", null, 100, 0, 1, null);
        var index = b.Build("Asia/Shanghai");
        var profiles = ProfileTable.FromRows([new("a"), new("c"), new("a0")]);
        Assert.True(SegmentRule.TryCompile("orders() >= 1", FieldRegistry.CreateDefault(), out var rule, out _));

        Assert.Equal(["a", "c"], SegmentEvaluator.Evaluate(rule, new SegmentData(profiles, index), Now).CustomerIds);
        Assert.Equal(new HashSet<int> { 1 }, Assert.Single(SegmentEvaluator.EvaluateRows([rule], new SegmentData(profiles, index), Now, [1, 2])));
    }

    [Fact]
    public void Evaluate_ExtensionFieldOfTheWrongLength_IsAnError()
    {
        var fields = FieldRegistry.CreateDefault();
        fields.Register("clv", SegmentType.Money, "broken", _ => new MoneyColumn([1, 2, 3]));
        Assert.True(SegmentRule.TryCompile("clv > 1", fields, out var rule, out _));
        var (_, profiles, index) = RandomStore(1, customers: 10);
        var error = Assert.Throws<InvalidOperationException>(() => SegmentEvaluator.Evaluate(rule, new SegmentData(profiles, index), Now));
        Assert.Contains("field clv computed 3 Money values where 10 Money values were due", error.Message, StringComparison.Ordinal);
    }
}
