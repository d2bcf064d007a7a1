using Flywheel.Grow.Domain.Trials;
using Flywheel.Grow.Storage;
using Flywheel.Analytics.Contracts;
using Flywheel.Storage;

namespace Flywheel.Grow.Demo;

/// <summary>
/// The demo store's trial-ambassador programme (产品体验官): a serum given to 10 testers over the last 30 days of the record, still open
/// for 14 more. Its posts are the KOC posts published in those days (KOCs who applied, were selected, shipped and posted: their posts are in
/// the ledger with tracked clicks, so the report credits them orders); customers who touched content fill the other statuses — applicants
/// in every status.
/// </summary>
internal static class DemoTrials
{
    public const string TrialId = "trial_serum_01";

    public static async Task<int> AddAsync(FlywheelStore store, TimeProvider time, IReadOnlyList<DemoPost> posts, IReadOnlyList<TaggedEvent> touches, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        long StartOf(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUnixTimeMilliseconds();
        var starts = today.AddDays(-29);
        // KOCs who posted in the window applied, were selected, shipped and posted — up to four. A small store may have no KOC post in the last
        // 30 days: then its latest KOC posts (or latest posts) are the programme's, and the programme starts a few days before the first.
        var byKol = (IEnumerable<DemoPost> some) => some.GroupBy(p => p.KolId, StringComparer.Ordinal).Select(g => g.First());
        var kocPosts = byKol(posts.Where(p => p.KolTier == "koc" && p.PublishedAt >= StartOf(starts))).Take(4).ToList();
        if (kocPosts.Count == 0) kocPosts = byKol(posts.Where(p => p.KolTier == "koc").Reverse()).Take(2).ToList();
        if (kocPosts.Count == 0) kocPosts = byKol(posts.AsEnumerable().Reverse()).Take(2).ToList();
        foreach (var post in kocPosts)
        {
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(post.PublishedAt), zone).DateTime).AddDays(-3);
            if (day < starts) starts = day;
        }
        var startMs = StartOf(starts);
        var trials = new TrialStore(store);
        var created = await trials.CreateAsync(new Trial(TrialId, "新品精华体验官", "SERUM-30ML", 10, 5_900, starts, today.AddDays(14), "open", startMs), ct);
        if (!created.IsSuccess) throw new InvalidOperationException($"the demo trial was refused: {created.Error}");

        var customers = touches.Select(t => t.VisitorKey).Where(k => !k.StartsWith('~')).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(9).ToList();
        var count = 0;
        async Task Step(string applicant, string status, string? content, long at)
        {
            var moved = await trials.MoveAsync(TrialId, applicant, status, content, at, ct);
            if (!moved.IsSuccess) throw new InvalidOperationException($"a demo trial move was refused: {moved.Error}");
        }
        foreach (var post in kocPosts)
        {
            var applied = Math.Max(startMs, post.PublishedAt - 3 * 86_400_000L);
            if (!(await trials.ApplyAsync(TrialId, post.KolId, "koc", applied, ct)).IsSuccess) continue;
            count++;
            await Step(post.KolId, TrialRules.Selected, null, applied + 86_400_000L);
            await Step(post.KolId, TrialRules.Shipped, null, applied + 2 * 86_400_000L);
            await Step(post.KolId, TrialRules.Posted, post.PostId, post.PublishedAt);
        }
        // Customers: two shipped (their posts are still to come), two selected, two rejected, the rest applied.
        string[] plan = [TrialRules.Shipped, TrialRules.Shipped, TrialRules.Selected, TrialRules.Selected, TrialRules.Rejected, TrialRules.Rejected,
            TrialRules.Applied, TrialRules.Applied, TrialRules.Applied];
        for (var i = 0; i < customers.Count; i++)
        {
            var applied = startMs + (i + 1) * 2 * 3_600_000L;
            if (!(await trials.ApplyAsync(TrialId, customers[i], "customer", applied, ct)).IsSuccess) continue;
            count++;
            var target = plan[i];
            if (target == TrialRules.Applied) continue;
            if (target == TrialRules.Rejected)
            {
                await Step(customers[i], TrialRules.Rejected, null, applied + 86_400_000L);
                continue;
            }
            await Step(customers[i], TrialRules.Selected, null, applied + 86_400_000L);
            if (target == TrialRules.Shipped) await Step(customers[i], TrialRules.Shipped, null, applied + 2 * 86_400_000L);
        }
        return count;
    }
}
