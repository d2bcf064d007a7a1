namespace Flywheel.Grow.Domain;

/// <summary>
/// The customer lifecycle a channel or a piece of content serves, in order: 认知 awareness → 兴趣 interest → 决策 decision →
/// 复购 repurchase → 忠诚 loyalty. Codes are the English words; the console shows the Chinese.
/// </summary>
internal static class LifecycleStage
{
    public const string Awareness = "awareness";
    public const string Interest = "interest";
    public const string Decision = "decision";
    public const string Repurchase = "repurchase";
    public const string Loyalty = "loyalty";

    public static readonly IReadOnlyList<string> All = [Awareness, Interest, Decision, Repurchase, Loyalty];

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Awareness] = "认知", [Interest] = "兴趣", [Decision] = "决策", [Repurchase] = "复购", [Loyalty] = "忠诚",
    };

    public static bool IsValid(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);

    public static string Expected => string.Join(", ", All);
}

/// <summary>
/// Platforms content is published on, creators work on and channels are named by. Codes match the event channels the demo
/// store and the importers use (xiaohongshu, douyin, tmall, ...). An import naming any other platform is refused.
/// </summary>
internal static class Platforms
{
    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["xiaohongshu"] = "小红书", ["douyin"] = "抖音", ["kuaishou"] = "快手", ["bilibili"] = "B站", ["weibo"] = "微博", ["zhihu"] = "知乎",
        ["wechat"] = "微信公众号/视频号", ["wecom"] = "企业微信", ["community"] = "社群", ["tmall"] = "淘宝/天猫", ["jd"] = "京东",
        ["pinduoduo"] = "拼多多", ["douyin_shop"] = "抖音小店", ["baidu"] = "百度", ["own_site"] = "品牌官网/小程序", ["email"] = "邮件", ["sms"] = "短信",
    };

    public static bool IsKnown(string? code) => code is not null && Chinese.ContainsKey(code);

    public static string Expected => string.Join(", ", Chinese.Keys);
}

/// <summary>
/// Creator tiers by followers on their main platform: 头部 head (1,000万+ is typical, any size the brand says), 腰部 mid,
/// 尾部 tail, KOC (1–10万 followers) and 素人 amateur (ordinary customers). The tier is stated by the brand; <see cref="Suggest"/>
/// gives the usual one for a follower count.
/// </summary>
internal static class CreatorTier
{
    public const string Head = "head";
    public const string Mid = "mid";
    public const string Tail = "tail";
    public const string Koc = "koc";
    public const string Amateur = "amateur";

    public static readonly IReadOnlyList<string> All = [Head, Mid, Tail, Koc, Amateur];

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Head] = "头部", [Mid] = "腰部", [Tail] = "尾部", [Koc] = "KOC", [Amateur] = "素人",
    };

    public static bool IsValid(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);

    /// <summary>Usual tier of a follower count: 1,000,000+ head, 300,000+ mid, 100,000+ tail, 10,000+ KOC, fewer amateur.</summary>
    public static string Suggest(long followers) => followers switch
    {
        >= 1_000_000 => Head,
        >= 300_000 => Mid,
        >= 100_000 => Tail,
        >= 10_000 => Koc,
        _ => Amateur,
    };
}
