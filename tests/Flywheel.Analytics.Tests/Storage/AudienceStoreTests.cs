using Flywheel.Storage;
using Flywheel.Analytics.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Storage;

public sealed class AudienceStoreTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static AudienceName Name(string text) => AudienceName.Parse(text).Value;

    private static AudienceHeader Header(string name, string? title = "加购未付款", long anonymous = 0, string definition = """{"v":1}""") =>
        new(Name(name), title, "funnel_dropoff", definition, anonymous);

    private static bool PageEquals(AudiencePage a, AudiencePage b) => a.Members.SequenceEqual(b.Members) && a.NextAfter == b.NextAfter;

    private static async Task<List<string>> AllAsync(FlywheelStore store, string name)
    {
        var all = new List<string>();
        await foreach (var member in AudienceStore.AllMembersAsync(store, Name(name), null, Ct)) all.Add(member);
        return all;
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveListGetMembersDelete_RoundTrips(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        Assert.Empty(await AudienceStore.ListAsync(store, Ct));

        var saved = (await AudienceStore.SaveAsync(store, Header("abandoned_cart", anonymous: 2), ["c3", "c1", "c2", "c1"], AudienceSaveMode.Replace, Ct)).Value;
        Assert.Equal(("abandoned_cart", "加购未付款", "funnel_dropoff", """{"v":1}""", 3L, 2L), (saved.Name, saved.Title, saved.Kind, saved.Definition, saved.MemberCount, saved.AnonymousCount));
        Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), saved.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(saved.CreatedAt, saved.RefreshedAt);
        await AudienceStore.SaveAsync(store, Header("browsers", title: null), ["c9"], AudienceSaveMode.Replace, Ct);

        Assert.Equal(["abandoned_cart", "browsers"], (await AudienceStore.ListAsync(store, Ct)).Select(a => a.Name));
        Assert.Equal(saved, await AudienceStore.GetAsync(store, Name("abandoned_cart"), Ct));
        Assert.Null((await AudienceStore.GetAsync(store, Name("browsers"), Ct))!.Title);
        Assert.Null(await AudienceStore.GetAsync(store, Name("nobody"), Ct));

        Assert.Equal(new AudiencePage(["c1", "c2"], "c2"), await AudienceStore.MembersAsync(store, Name("abandoned_cart"), null, 2, Ct), PageEquals);
        Assert.Equal(new AudiencePage(["c3"], null), await AudienceStore.MembersAsync(store, Name("abandoned_cart"), "c2", 2, Ct), PageEquals);
        Assert.Equal(new AudiencePage(["c2", "c3"], null), await AudienceStore.MembersAsync(store, Name("abandoned_cart"), "c1", 2, Ct), PageEquals);
        Assert.Equal(new AudiencePage([], null), await AudienceStore.MembersAsync(store, Name("abandoned_cart"), "c3", 2, Ct), PageEquals);
        Assert.Equal(new AudiencePage([], null), await AudienceStore.MembersAsync(store, Name("nobody"), null, 10, Ct), PageEquals);

        Assert.True(await AudienceStore.DeleteAsync(store, Name("abandoned_cart"), Ct));
        Assert.False(await AudienceStore.DeleteAsync(store, Name("abandoned_cart"), Ct));
        Assert.Equal(0, await TestStores.CountAsync(store, "audience_members", "audience_name = 'abandoned_cart'"));
        Assert.Equal(["c9"], await AllAsync(store, "browsers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_SameName_ReplacesEveryMemberAndKeepsCreatedAtAndTitle(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var first = (await AudienceStore.SaveAsync(store, Header("abandoned_cart", anonymous: 5), ["c1", "c2"], AudienceSaveMode.Replace, Ct)).Value;
        await AudienceStore.SaveAsync(store, Header("other"), ["c1"], AudienceSaveMode.Replace, Ct);
        clock.Advance(TimeSpan.FromHours(1));

        var second = (await AudienceStore.SaveAsync(store, Header("abandoned_cart", title: null, anonymous: 0, definition: """{"v":2}"""),
            ["c2", "c7"], AudienceSaveMode.Replace, Ct)).Value;
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), second.RefreshedAt.ToUnixTimeMilliseconds());
        Assert.Equal(("加购未付款", """{"v":2}""", 2L, 0L), (second.Title, second.Definition, second.MemberCount, second.AnonymousCount));
        Assert.Equal(["c2", "c7"], await AllAsync(store, "abandoned_cart"));
        Assert.Equal(["c1"], await AllAsync(store, "other"));

        // An empty refresh is a valid result (nobody dropped this time), not a deletion.
        var empty = (await AudienceStore.SaveAsync(store, Header("abandoned_cart", title: "新标题"), [], AudienceSaveMode.Replace, Ct)).Value;
        Assert.Equal(("新标题", 0L), (empty.Title, empty.MemberCount));
        Assert.Empty(await AllAsync(store, "abandoned_cart"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_CreateOnlyOverAnExistingName_IsAConflictAndChangesNothing(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var first = (await AudienceStore.SaveAsync(store, Header("abandoned_cart"), ["c1"], AudienceSaveMode.CreateOnly, Ct)).Value;
        clock.Advance(TimeSpan.FromMinutes(5));

        var again = await AudienceStore.SaveAsync(store, Header("abandoned_cart", title: "x", definition: """{"v":2}"""), ["c2"], AudienceSaveMode.CreateOnly, Ct);
        Assert.Equal(("conflict", "name"), (again.Error!.Code, again.Error.Path));
        Assert.Contains("already exists", again.Error.Message, StringComparison.Ordinal);
        Assert.Equal(first, await AudienceStore.GetAsync(store, Name("abandoned_cart"), Ct));
        Assert.Equal(["c1"], await AllAsync(store, "abandoned_cart"));
    }

    private static IEnumerable<string> FailingAfter(params string[] ids)
    {
        foreach (var id in ids) yield return id;
        throw new IOException("the source of the members failed");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Save_FailingHalfway_LeavesTheOldAudienceAsItWas(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var old = (await AudienceStore.SaveAsync(store, Header("abandoned_cart", anonymous: 1), ["c1", "c2", "c3"], AudienceSaveMode.Replace, Ct)).Value;
        clock.Advance(TimeSpan.FromHours(1));

        await Assert.ThrowsAsync<IOException>(() =>
            AudienceStore.SaveAsync(store, Header("abandoned_cart", title: "new", definition: "{}"), FailingAfter("c8", "c9"), AudienceSaveMode.Replace, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            AudienceStore.SaveAsync(store, Header("abandoned_cart"), ["c8", ""], AudienceSaveMode.Replace, Ct));
        // A new name that fails leaves no header behind either.
        await Assert.ThrowsAsync<IOException>(() =>
            AudienceStore.SaveAsync(store, Header("brand_new"), FailingAfter("c8"), AudienceSaveMode.CreateOnly, Ct));

        Assert.Equal(old, await AudienceStore.GetAsync(store, Name("abandoned_cart"), Ct));
        Assert.Equal(["c1", "c2", "c3"], await AllAsync(store, "abandoned_cart"));
        Assert.Null(await AudienceStore.GetAsync(store, Name("brand_new"), Ct));
        Assert.Equal(3, await TestStores.CountAsync(store, "audience_members"));

        // The store is still usable: the write lock and the connection were released.
        Assert.True((await AudienceStore.SaveAsync(store, Header("brand_new"), ["c8"], AudienceSaveMode.CreateOnly, Ct)).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Members_ManyPages_AllInCodePointOrder(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        // More than two pages of MaxPage and several PostgreSQL batches; mixed case and punctuation to pin the order.
        var ids = Enumerable.Range(0, 2 * AudienceStore.MaxPage + 7).Select(i => (i % 3 == 0 ? "U" : i % 3 == 1 ? "u" : "_") + i.ToString("x5")).ToList();
        var shuffled = ids.OrderBy(id => id.GetHashCode(StringComparison.Ordinal)).ToList();
        var saved = (await AudienceStore.SaveAsync(store, Header("big"), shuffled, AudienceSaveMode.Replace, Ct)).Value;
        Assert.Equal(ids.Count, saved.MemberCount);

        var expected = ids.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, await AllAsync(store, "big"));
        Assert.Equal(expected.Skip(101).Take(50), (await AudienceStore.MembersAsync(store, Name("big"), expected[100], 50, Ct)).Members);
        var last = await AudienceStore.MembersAsync(store, Name("big"), expected[^(AudienceStore.MaxPage + 1)], AudienceStore.MaxPage, Ct);
        Assert.Equal((AudienceStore.MaxPage, (string?)null), (last.Members.Count, last.NextAfter));
        var all = new List<string>();
        await foreach (var member in AudienceStore.AllMembersAsync(store, Name("big"), expected[6], Ct)) all.Add(member);
        Assert.Equal(expected.Skip(7), all);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task ConcurrentSavesAndDeletes_NeverLeaveAMixOrOrphans(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        for (var round = 0; round < 10; round++)
        {
            var work = new List<Task>();
            for (var writer = 0; writer < 4; writer++)
            {
                var ids = Enumerable.Range(0, 50 + writer * 50).Select(i => $"w{writer}-{i:000}").ToList();
                work.Add(AudienceStore.SaveAsync(store, Header("contested"), ids, AudienceSaveMode.Replace, Ct));
                work.Add(AudienceStore.DeleteAsync(store, Name("contested"), Ct));
            }
            await Task.WhenAll(work);

            var header = await AudienceStore.GetAsync(store, Name("contested"), Ct);
            var members = await AllAsync(store, "contested");
            if (header is null)
                Assert.Empty(members);
            else
            {
                // Exactly one writer's set, whole.
                Assert.Equal(header.MemberCount, members.Count);
                Assert.Single(members.Select(m => m.Split('-')[0]).Distinct());
                Assert.Equal(50 + int.Parse(members[0][1..2], System.Globalization.CultureInfo.InvariantCulture) * 50, members.Count);
            }
        }
    }

    [Theory]
    [InlineData("abandoned_cart")]
    [InlineData("a")]
    [InlineData("q3-vip_2026")]
    public void Name_Slug_IsAccepted(string text) => Assert.Equal(text, AudienceName.Parse(text).Value.Value);

    [Theory]
    [InlineData(null, "needs a name")]
    [InlineData("", "needs a name")]
    [InlineData("Abandoned", "'A'")]
    [InlineData("abandoned cart", "' '")]
    [InlineData("加购", "'加'")]
    [InlineData("a/b", "'/'")]
    public void Name_NotASlug_IsRefusedSayingWhy(string? text, string words)
    {
        var error = AudienceName.Parse(text).Error!;
        Assert.Equal(("invalid", "name"), (error.Code, error.Path));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_LongerThan64_IsRefused()
    {
        Assert.True(AudienceName.Parse(new string('a', 64)).IsSuccess);
        Assert.Contains("at most 64", AudienceName.Parse(new string('a', 65)).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Title_LongerThan200_IsRefused()
    {
        Assert.Null(AudienceStore.CheckTitle(new string('标', 200)));
        Assert.Equal("title", AudienceStore.CheckTitle(new string('标', 201))!.Path);
    }
}
