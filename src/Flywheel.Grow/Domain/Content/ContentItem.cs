namespace Flywheel.Grow.Domain.Content;

/// <summary>
/// A piece of content in the ledger: where and when it was published, who owns it, the lifecycle stage it targets, what it cost
/// and what the platform reports for it. Money in fen, times Unix milliseconds; every count and amount is at least 0.
/// </summary>
internal sealed record ContentItem(
    string ContentId,
    string Title,
    string Kind,
    string Platform,
    long PublishedAt,
    string Owner,
    string? CreatorId,
    string Stage,
    long Cost,
    long Views,
    long Likes,
    long Comments,
    long Saves,
    long Shares,
    long LiveWatchers,
    long PlatformGmv,
    long UpdatedAt);

/// <summary>The kinds of content and who may own one.</summary>
internal static class ContentVocabulary
{
    /// <summary>图文笔记/文章, 短视频, 长视频, 直播, 话题活动, 用户原创.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["note", "short_video", "long_video", "live", "topic", "ugc"];

    /// <summary>The brand itself, a paid KOL, a KOC, or a customer (UGC, trial ambassadors).</summary>
    public static readonly IReadOnlyList<string> Owners = ["brand", "kol", "koc", "customer"];

    public static bool IsKind(string? kind) => kind is not null && Kinds.Contains(kind, StringComparer.Ordinal);

    public static bool IsOwner(string? owner) => owner is not null && Owners.Contains(owner, StringComparer.Ordinal);

    /// <summary>Largest count or amount (fen) a content row may carry: 10^12, so sums over millions of items stay far from overflow.</summary>
    public const long MaxValue = 1_000_000_000_000;

    /// <summary>Longest id or title, in characters.</summary>
    public const int MaxIdLength = 128, MaxTitleLength = 500;
}
