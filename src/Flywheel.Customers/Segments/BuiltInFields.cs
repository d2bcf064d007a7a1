using Flywheel.Analytics.Contracts;
using Flywheel.Ingestion.Contracts;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using Flywheel.Ingestion.Parsing;

namespace Flywheel.Customers.Segments;

/// <summary>
/// The fields every registry starts with: profile attributes and consents (from <see cref="ProfileTable"/>), paid-order
/// aggregates and events (from the <see cref="EventIndex"/>). docs/segments.md describes each one.
/// <para>
/// Orders: an order counts from its paid time (its placed time when it has none); a fully refunded order (refund ≥ amount
/// paid) is not a purchase and counts for no field except refunds(); gmv is net of refunds. Windows end now, so an
/// order or event dated after now (a clock ahead of the server's) counts only in fields without a window. Day counts
/// (days_since_…, age) are calendar days in the store's time zone.
/// </para>
/// </summary>
internal static class BuiltInFields
{
    /// <summary>City tiers as numbers: tier1 = 1, new_tier1 = 1.5 (新一线 sits between 一线 and 二线), tier2 = 2 … tier5 = 5.</summary>
    public static double? CityTierNumber(string? tier) => tier switch
    {
        "tier1" => 1,
        "new_tier1" => 1.5,
        "tier2" => 2,
        "tier3" => 3,
        "tier4" => 4,
        "tier5" => 5,
        _ => null,
    };

    /// <summary>Consent channels and purposes as the customers endpoint and imports accept them.</summary>
    public static readonly string[] ConsentChannels = ["email", "sms", "wecom", "webhook"];

    public static readonly string[] ConsentPurposes = ["marketing", "transactional"];

    private const FieldSources OrderSources = FieldSources.Orders | FieldSources.Time;
    private const FieldSources EventSources = FieldSources.Events | FieldSources.Time;

    public static IEnumerable<FieldDefinition> All()
    {
        var window = new FieldParameter("window", FieldParameterKind.Window, Optional: true);

        // --- profile ---
        yield return Text("gender", "male, female or unknown", t => t.Gender, ["male", "female", "unknown"]);
        yield return Profile("age", SegmentType.Number, "Age in whole years today (from birth_date); missing when unknown", timed: true,
            c => SegmentColumn.Numbers(c, i => c.Profiles.BirthDate[c.ProfileRow(i)] is { } birth ? Age(birth, c.Today) : null));
        yield return Profile("birth_date", SegmentType.Date, "Birth date", timed: false,
            c => SegmentColumn.Dates(c, i => c.Profiles.BirthDate[c.ProfileRow(i)]));
        yield return Text("province", "Province, as imported (浙江, 广东 …)", t => t.Province);
        yield return Text("city", "City, as imported (杭州, 成都 …)", t => t.City);
        yield return Profile("city_tier", SegmentType.Number, "City tier as a number: 1 = 一线, 1.5 = 新一线, 2 = 二线 … 5 = 五线", timed: false,
            c => SegmentColumn.Numbers(c, i => CityTierNumber(c.Profiles.CityTier[c.ProfileRow(i)])));
        yield return Text("signup_channel", "Channel the customer signed up on", t => t.SignupChannel);
        yield return Profile("signup_date", SegmentType.Date, "Local date of signup", timed: false,
            c => SegmentColumn.Dates(c, i => c.Profiles.SignupAt[c.ProfileRow(i)] is { } ms ? DateOnly.FromDayNumber(c.LocalDay(IndexTime(ms))) : null));
        yield return Profile("days_since_signup", SegmentType.Number, "Calendar days from signup to today", timed: true,
            c => SegmentColumn.Numbers(c, i => c.Profiles.SignupAt[c.ProfileRow(i)] is { } ms ? c.Today.DayNumber - c.LocalDay(IndexTime(ms)) : null));
        yield return Text("member_tier", "Membership tier, as imported", t => t.MemberTier);
        yield return new FieldDefinition("consent", SegmentType.Bool,
            "Whether the customer has granted consent on a channel (email, sms, wecom, webhook) for a purpose (marketing by default)",
            (c, a) => Cached(c, $"consent({a.Text(0)}/{a.Text(1) ?? "marketing"})", () => Consent(c, a)),
            new FieldParameter("channel", FieldParameterKind.Text, Choices: ConsentChannels),
            new FieldParameter("purpose", FieldParameterKind.Text, Optional: true, Choices: ConsentPurposes))
        { Sources = FieldSources.Profile };

        // --- paid orders: one pass ---
        yield return Order("orders", SegmentType.Number, "Paid orders in the window (all time without one), fully refunded ones excepted", window);
        yield return Order("gmv", SegmentType.Money, "Amount paid in the window, net of refunds (yuan)", window);
        yield return Order("aov", SegmentType.Money, "gmv / orders in the window (yuan); missing without orders", window);
        yield return Order("refunds", SegmentType.Money, "Refunds on orders paid in the window (yuan)", window);
        yield return Order("categories", SegmentType.TextList,
            "Categories bought in the window (of each order's largest line); contains \"美妆\" keeps 美妆>面霜 and any path with a level 美妆", window);
        yield return Order("days_since_last_order", SegmentType.Number, "Calendar days since the last paid order; missing without orders");
        yield return Order("days_since_first_order", SegmentType.Number, "Calendar days since the first paid order; missing without orders");
        yield return Order("last_order_date", SegmentType.Date, "Local date of the last paid order");
        yield return Order("first_order_date", SegmentType.Date, "Local date of the first paid order");
        yield return Order("first_order_channel", SegmentType.Text, "Channel of the first paid order");

        // --- events (and the channels of orders): one pass ---
        var type = new FieldParameter("event type", FieldParameterKind.Text, Choices: [.. EventTypes.Known], Accepts: EventTypes.IsValid);
        yield return Event("events", SegmentType.Number, "Events of a type in the window, e.g. events(\"add_to_cart\", 7d)", type, window);
        yield return Event("last_event_days", SegmentType.Number, "Calendar days since the last event (of a type, when given); missing when none",
            type with { Optional = true });
        yield return Event("first_channel", SegmentType.Text, "Channel of the customer's first touch: the earlier of the first event and the first paid order that carry a channel");
        yield return Event("last_channel", SegmentType.Text, "Channel of the customer's latest touch (event or paid order)");
        yield return Event("channels", SegmentType.TextList, "Channels of the customer's events and paid orders in the window", window);
    }

    internal static int IndexTime(long unixMs) =>
        (int)Math.Clamp(Math.DivRem(unixMs, 1000, out var rem) - (rem < 0 ? 1 : 0) - EventIndex.Epoch, int.MinValue, int.MaxValue);

    private static int Age(DateOnly birth, DateOnly today)
    {
        var age = today.Year - birth.Year;
        if (today.Month < birth.Month || (today.Month == birth.Month && today.Day < birth.Day)) age--;
        return age;
    }

    private static BoolColumn Consent(FieldContext c, FieldArguments arguments)
    {
        var key = arguments.Text(0) + "/" + (arguments.Text(1) ?? "marketing");
        var consents = c.Profiles.Data.Consents;
        var values = new byte[c.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = consents[c.ProfileRow(i)] is { } granted && granted.Contains(key) ? BoolColumn.True : BoolColumn.False;
        return new BoolColumn(values);
    }

    // A million profile values cost tens of milliseconds to turn into a column: an evaluation over all customers keeps
    // the column with the (immutable) profile table it came from. Columns that depend on the date are kept per day.
    private static readonly ConditionalWeakTable<ProfileTable, ConcurrentDictionary<string, SegmentColumn>> ProfileColumns = new();

    private static SegmentColumn Cached(FieldContext c, string key, Func<SegmentColumn> compute) =>
        c.IsAllCustomers ? ProfileColumns.GetOrCreateValue(c.Profiles).GetOrAdd(key, _ => compute()) : compute();

    private static FieldDefinition Profile(string name, SegmentType type, string description, bool timed, Func<FieldContext, SegmentColumn> compute) =>
        new(name, type, description, (c, _) => Cached(c, timed ? $"{name}@{c.Today.DayNumber}" : name, () => compute(c)))
        { Sources = timed ? FieldSources.Profile | FieldSources.Time : FieldSources.Profile };

    private static FieldDefinition Text(string name, string description, Func<ProfileTable, IReadOnlyList<string?>> column, IReadOnlyCollection<string>? values = null) =>
        new(name, SegmentType.Text, description, (c, _) =>
        {
            var source = column(c.Profiles);
            return Cached(c, name, () => SegmentColumn.Texts(c, i => source[c.ProfileRow(i)]));
        })
        { Sources = FieldSources.Profile, Values = values };

    private static FieldDefinition Order(string name, SegmentType type, string description, params IReadOnlyList<FieldParameter> parameters) =>
        new(name, type, description, (c, a) => OrderPass.Run(c, [new BoundField(Find(name), a, name)])[0], parameters)
        { Sources = OrderSources, Batch = OrderPass.Run, CategoryPaths = name == "categories" };

    private static FieldDefinition Event(string name, SegmentType type, string description, params IReadOnlyList<FieldParameter> parameters) =>
        new(name, type, description, (c, a) => EventPass.Run(c, [new BoundField(Find(name), a, name)])[0], parameters)
        { Sources = name is "first_channel" or "last_channel" or "channels" ? EventSources | FieldSources.Orders : EventSources, Batch = EventPass.Run };

    private static readonly Lazy<Dictionary<string, FieldDefinition>> Definitions = new(() => All().ToDictionary(f => f.Name, StringComparer.Ordinal));

    private static FieldDefinition Find(string name) => Definitions.Value[name];
}
