namespace Flywheel.Campaigns.Journeys;

/// <summary>A ready-made journey: <see cref="Name"/> is also the journey's id; the journey is a starting point to copy and edit.</summary>
internal sealed record JourneyTemplate(string Name, string TitleZh, string TitleEn, string Description, Journey Journey);

/// <summary>
/// The ready-made journeys, stored as JSON in Journeys/Templates/*.json (embedded resources) and read with
/// <see cref="JourneyJson.Parse"/>: abandoned_cart, welcome, win_back, birthday, review_invite, presale_balance,
/// group_buy_expiring, package_card_welcome. Each validates cleanly (the tests check it, segment rules compiled against the default fields).
/// </summary>
internal static class JourneyTemplates
{
    private static readonly (string Name, string TitleZh, string TitleEn)[] Catalogue =
    [
        ("abandoned_cart", "购物车催付", "Abandoned cart"),
        ("welcome", "新客欢迎", "Welcome"),
        ("win_back", "流失挽回", "Win-back"),
        ("birthday", "生日关怀", "Birthday"),
        ("review_invite", "邀请评价", "Review invite"),
        ("presale_balance", "预售尾款提醒", "Presale balance reminder"),
        ("group_buy_expiring", "拼团即将结束", "Group buy expiring"),
        ("package_card_welcome", "包裹卡欢迎", "Package-card welcome"),
    ];

    private static readonly Lazy<IReadOnlyList<JourneyTemplate>> Loaded = new(Load);

    /// <summary>Every template, in catalogue order.</summary>
    public static IReadOnlyList<JourneyTemplate> All => Loaded.Value;

    /// <summary>The template with that name, or null.</summary>
    public static JourneyTemplate? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The template's JSON as shipped.</summary>
    public static string Json(string name)
    {
        var resource = $"Flywheel.Campaigns.Journeys.Templates.{name}.json";
        using var stream = typeof(JourneyTemplates).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"no journey template named \"{name}\"", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IReadOnlyList<JourneyTemplate> Load()
    {
        var templates = new List<JourneyTemplate>(Catalogue.Length);
        foreach (var (name, zh, en) in Catalogue)
        {
            var parsed = JourneyJson.Parse(Json(name));
            if (!parsed.TryGetValue(out var journey, out var error))
                throw new InvalidOperationException($"journey template {name}: {error}");
            templates.Add(new JourneyTemplate(name, zh, en, journey.Description ?? "", journey));
        }
        return templates;
    }
}
