using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Storage;
using Flywheel.Promotions.Contracts;
using Flywheel.Storage;

namespace Flywheel.Grow.Demo;

/// <summary>
/// The demo's creators and collaborations, from the record's KOL posts so the report agrees with the events: a creator for every
/// kol_id of content_posts (its name, tier and channel as platform; followers and a category drawn from the id), three 尾部 tail
/// and three 素人 amateur creators (and one of any other tier the posts lack) so every tier appears, and a collaboration per post (fee = the post's cost, commission 5–20%,
/// posted when the post is from the data's last 30 days, settled before) holding an exclusive code issued from the coupon batch
/// <see cref="BatchId"/>. Deterministic: the same store gives the same creators and rates (the codes are the ledger's random ones).
/// </summary>
internal static class DemoCreators
{
    public const string BatchId = "kol_exclusive";

    private static readonly string[] Categories = ["美妆", "母婴", "数码", "服饰", "食品", "家居"];

    public static async Task<(int Creators, int Collaborations)> AddAsync(FlywheelStore store, TimeProvider time, CancellationToken ct)
    {
        var posts = await KolPosts.ListAsync(store, ct);
        var creators = new List<Creator>();
        foreach (var kol in posts.GroupBy(p => p.KolId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = kol.First();
            var tier = CreatorTier.IsValid(first.KolTier) ? first.KolTier! : CreatorTier.Koc;
            var platform = Platforms.IsKnown(first.Channel) ? first.Channel : "xiaohongshu";
            creators.Add(new Creator(kol.Key, first.KolName ?? kol.Key, platform, Followers(tier, kol.Key), tier, Categories[Hash(kol.Key, 7) % Categories.Length]));
        }
        string[] extraPlatforms = ["xiaohongshu", "douyin", "bilibili"];
        string[] tailNames = ["小鹿爱测评", "阿枣的日常", "橘子种草机"], amateurNames = ["宝妈小林", "上班族阿杰", "学生党小雨"];
        for (var i = 0; i < 3; i++)
        {
            var tail = $"kol_tail_{i + 1:D3}";
            creators.Add(new Creator(tail, tailNames[i], extraPlatforms[i], Followers(CreatorTier.Tail, tail), CreatorTier.Tail, Categories[Hash(tail, 7) % Categories.Length]));
            var amateur = $"kol_amateur_{i + 1:D3}";
            creators.Add(new Creator(amateur, amateurNames[i], extraPlatforms[i], Followers(CreatorTier.Amateur, amateur), CreatorTier.Amateur,
                Categories[Hash(amateur, 7) % Categories.Length]));
        }
        // A small demo may draw no head (or mid, or KOC) KOL for its posts: one without collaborations keeps the tier on show.
        foreach (var (tier, name) in new[] { (CreatorTier.Head, "顶流美妆官"), (CreatorTier.Mid, "腰部好物君"), (CreatorTier.Koc, "素颜小七") })
        {
            if (creators.Any(c => c.Tier == tier)) continue;
            var id = $"kol_{tier}_extra";
            creators.Add(new Creator(id, name, "douyin", Followers(tier, id), tier, Categories[Hash(id, 7) % Categories.Length]));
        }
        var store_ = new CreatorStore(store, time);
        await store_.SaveCreatorsAsync(creators, ct);
        if (posts.Count == 0) return (creators.Count, 0);

        var batch = await PartnerCouponBatches.EnsureAsync(store, BatchId, "达人专属券 满0减10", 1_000, posts.Count + 1_000, 365, ct);
        if (!batch.IsSuccess) throw new InvalidOperationException($"the demo's KOL coupon batch was refused: {batch.Error}");
        var issuer = PartnerCouponBatches.Issuer(store);
        var lastPost = posts.Max(p => p.PublishedAt);
        var collaborations = 0;
        foreach (var post in posts)
        {
            var collabId = "co_" + post.PostId;
            if (await store_.GetCollaborationAsync(collabId, ct) is not null) continue;
            var issued = await issuer.IssueAsync(BatchId, "collab:" + collabId, "grow-collab:" + collabId, ct);
            if (!issued.TryGetValue(out var coupon, out var error)) throw new InvalidOperationException($"a demo collaboration's code was refused: {error}");
            var platform = Platforms.Chinese.GetValueOrDefault(post.Channel, post.Channel);
            var deliverables = post.Channel switch
            {
                "xiaohongshu" => "1 篇图文笔记 + 评论区置顶专属券",
                "douyin" => "1 条短视频 + 小黄车",
                "bilibili" => "1 条测评长视频",
                _ => "1 条话题微博",
            };
            var added = await store_.AddCollaborationAsync(new Collaboration(collabId, post.KolId,
                $"{platform} 种草 {post.PublishedAt.ToOffset(TimeSpan.FromHours(8)).ToString("MM-dd", CultureInfo.InvariantCulture)}", post.Cost,
                500 + Hash(post.PostId, 11) % 16 * 100, deliverables, post.PublishedAt, null, coupon.Code,
                post.PublishedAt >= lastPost.AddDays(-30) ? CollaborationStatus.Posted : CollaborationStatus.Settled, time.GetUtcNow()), ct);
            if (!added.IsSuccess) throw new InvalidOperationException($"a demo collaboration was refused: {added.Error}");
            collaborations++;
        }
        return (creators.Count, collaborations);
    }

    /// <summary>Followers in the tier's usual range, drawn from the id.</summary>
    private static long Followers(string tier, string id)
    {
        var u = Hash(id, 3) % 1000 / 1000.0;
        var (low, high) = tier switch
        {
            CreatorTier.Head => (1_200_000, 8_000_000),
            CreatorTier.Mid => (300_000, 950_000),
            CreatorTier.Tail => (100_000, 290_000),
            CreatorTier.Koc => (10_000, 95_000),
            _ => (300, 6_000),
        };
        return (long)Math.Round(low + u * (high - low), MidpointRounding.AwayFromZero) / 100 * 100;
    }

    /// <summary>A stable hash of a text (string.GetHashCode differs between runs).</summary>
    private static int Hash(string text, int salt)
    {
        unchecked
        {
            var h = (uint)(2166136261 ^ salt);
            foreach (var c in text) h = (h ^ c) * 16777619;
            return (int)(h & 0x7fffffff);
        }
    }
}
