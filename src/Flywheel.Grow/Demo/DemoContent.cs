using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Content;
using Flywheel.Grow.Storage;
using Flywheel.Analytics.Contracts;
using Flywheel.Storage;

namespace Flywheel.Grow.Demo;

/// <summary>
/// The demo store's content ledger, from what the record holds: one item per KOL/KOC post (content_posts; kind by channel: 小红书 note,
/// 抖音 short video or, every fourth post, a live stream, B站 long video, 微博 topic; owner kol for head and mid tiers, koc for KOCs;
/// creator_id = the kol_id when the creators table has it), with platform metrics made from the post's tracked clicks so that views ≫ clicks
/// (a CTR between 0.4% and 3% fixed by the post's id), and a few brand and UGC items. Then the trial programme (<see cref="DemoTrials"/>).
/// No random stream: every number is a function of the record, so the same record gives the same ledger.
/// </summary>
internal static class DemoContent
{
    public static async Task AddAsync(FlywheelStore store, TimeProvider time, GrowDemoSummary summary, CancellationToken ct)
    {
        var posts = (await KolPosts.ListAsync(store, ct))
            .Select(p => new DemoPost(p.PostId, p.KolId, p.KolName, p.KolTier, p.Channel, p.PublishedAt.ToUnixTimeMilliseconds(), p.Cost)).ToList();
        if (posts.Count == 0) return;
        var touches = await ContentTouches.WithContentAsync(store, posts.Min(p => p.PublishedAt), time.GetUtcNow().ToUnixTimeMilliseconds() + 1, ContentReport.TouchTypes, ct);
        var clicks = touches.GroupBy(t => t.Content!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var creators = await CreatorIdsAsync(store, ct);
        var patches = new List<ContentPatch>();
        var row = 0;
        foreach (var post in posts)
        {
            var (kind, stage) = post.Channel switch
            {
                "xiaohongshu" => ("note", LifecycleStage.Interest),
                "douyin" when Unit(post.PostId, 1) < 0.25 => ("live", LifecycleStage.Decision),
                "douyin" => ("short_video", LifecycleStage.Interest),
                "bilibili" => ("long_video", LifecycleStage.Interest),
                _ => ("topic", LifecycleStage.Awareness),
            };
            var platform = Platforms.IsKnown(post.Channel) ? post.Channel : "xiaohongshu";
            var owner = post.KolTier is "head" or "mid" ? "kol" : "koc";
            var clicked = clicks.GetValueOrDefault(post.PostId);
            var views = clicked > 0 ? (long)Math.Round(clicked / (0.004 + 0.026 * Unit(post.PostId, 2))) : 800 + (long)(4_000 * Unit(post.PostId, 2));
            var likes = (long)Math.Round(views * (0.02 + 0.06 * Unit(post.PostId, 3)));
            var label = kind switch { "note" => "笔记", "live" => "直播", "short_video" => "短视频", "long_video" => "测评视频", _ => "话题" };
            patches.Add(new ContentPatch(++row, post.PostId, $"{post.KolName ?? post.KolId}的{Platforms.Chinese[platform]}{label}", kind, platform, post.PublishedAt, owner,
                creators.Contains(post.KolId) ? post.KolId : null, stage, post.Cost, views, likes, likes / 10, platform == "xiaohongshu" ? likes * 2 / 5 : likes / 5, likes / 20,
                kind == "live" ? views * 3 / 5 : 0, kind == "live" ? clicked * 4_500 : 0));
        }
        // The brand's own posts and customers' UGC: published but never tracked by link, so no clicks reach the report (no_data).
        var first = posts.Min(p => p.PublishedAt);
        var last = posts.Max(p => p.PublishedAt);
        (string Id, string Title, string Kind, string Platform, string Owner, string Stage, long Cost, long Views)[] own =
        [
            ("brand_xhs_guide", "品牌官方: 大促囤货攻略", "note", "xiaohongshu", "brand", LifecycleStage.Awareness, 0, 42_000),
            ("brand_wechat_member_day", "会员日福利预告", "note", "wechat", "brand", LifecycleStage.Loyalty, 0, 9_800),
            ("brand_douyin_live", "品牌自播: 新品首发", "live", "douyin", "brand", LifecycleStage.Decision, 300_000, 120_000),
            ("ugc_review_001", "买家秀: 用了一个月的真实感受", "ugc", "xiaohongshu", "customer", LifecycleStage.Loyalty, 0, 2_300),
            ("ugc_review_002", "开箱: 双11战利品", "ugc", "douyin", "customer", LifecycleStage.Repurchase, 0, 5_600),
        ];
        for (var i = 0; i < own.Length; i++)
        {
            var o = own[i];
            var likes = o.Views / 25;
            patches.Add(new ContentPatch(++row, o.Id, o.Title, o.Kind, o.Platform, first + (last - first) * (i + 1) / (own.Length + 1), o.Owner, null, o.Stage, o.Cost, o.Views,
                likes, likes / 10, likes / 3, likes / 20, o.Kind == "live" ? o.Views / 2 : 0, 0));
        }
        var imported = await new ContentStore(store).ImportAsync(patches, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (!imported.IsSuccess) throw new InvalidOperationException($"the demo content was refused: {imported.Error}");
        summary.ContentItems = patches.Count;
        summary.TrialApplicants = await DemoTrials.AddAsync(store, time, posts, touches, ct);
    }

    private static async Task<HashSet<string>> CreatorIdsAsync(FlywheelStore store, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT creator_id FROM grow_creators";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>A number in [0, 1) fixed by a text and a salt (FNV-1a): the demo's variety without a random stream.</summary>
    internal static double Unit(string text, int salt)
    {
        // A hash wraps by design (the project checks arithmetic everywhere else).
        unchecked
        {
            var hash = 2166136261u ^ (uint)salt;
            foreach (var c in text)
            {
                hash ^= c;
                hash *= 16777619u;
            }
            hash ^= hash >> 15;
            hash *= 2246822519u;
            hash ^= hash >> 13;
            return hash / 4294967296.0;
        }
    }
}

/// <summary>A KOL/KOC post of the record as the demo content and trials use it: publish time in Unix milliseconds, fee in fen.</summary>
internal sealed record DemoPost(string PostId, string KolId, string? KolName, string? KolTier, string Channel, long PublishedAt, long Cost);
