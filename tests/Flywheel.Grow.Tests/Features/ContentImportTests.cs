using Flywheel.Grow.Features.Content;
using Flywheel.Grow.Storage;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features;

/// <summary>The content ledger's CSV import on both engines: added, updated by a metrics-only file, and every bad row refused with nothing stored.</summary>
public sealed class ContentImportTests
{
    private const string Header = "content_id,title,kind,platform,published_at,owner,creator_id,stage,cost,views,likes,comments,saves,shares,live_watchers,platform_gmv";

    internal static async Task AddCreatorAsync(FlywheelStore store, string id)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO grow_creators (creator_id, name, platform, followers, tier, created_at, updated_at) VALUES (@id, @id, 'xiaohongshu', 50000, 'koc', 0, 0)";
        command.AddParameter("@id", id);
        await command.ExecuteNonQueryAsync();
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_AddsThenUpdatesMetrics(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await AddCreatorAsync(store, "kol_a");
        var handler = new ImportContentHandler(store, new TestClock());
        var first = await handler.HandleAsync(Header + "\n" +
            "n1,\"测评, 第一篇\",note,xiaohongshu,2026-06-01 20:00,kol,kol_a,interest,1280.50,10000,300,40,120,15,0,0\n" +
            "v1,直播回放,live,douyin,2026-06-02T20:00:00+08:00,brand,,decision,0,5000,10,2,0,1,800,12345.67\n", CancellationToken.None);
        Assert.True(first.IsSuccess, first.Error?.ToString());
        Assert.Equal(new ContentImported(2, 0), first.Value);

        var again = await handler.HandleAsync("content_id,views,likes\nn1,25000,700\n", CancellationToken.None);
        Assert.Equal(new ContentImported(0, 1), again.Value);

        var items = (await new ContentStore(store).ListAsync(CancellationToken.None)).ToDictionary(i => i.ContentId);
        Assert.Equal(2, items.Count);
        var n1 = items["n1"];
        Assert.Equal(("测评, 第一篇", "note", "xiaohongshu", "kol", "kol_a", "interest"), (n1.Title, n1.Kind, n1.Platform, n1.Owner, n1.CreatorId, n1.Stage));
        Assert.Equal((128_050L, 25_000L, 700L, 40L, 120L), (n1.Cost, n1.Views, n1.Likes, n1.Comments, n1.Saves));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 20, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(), n1.PublishedAt);
        var v1 = items["v1"];
        Assert.Null(v1.CreatorId);
        Assert.Equal((800L, 1_234_567L), (v1.LiveWatchers, v1.PlatformGmv));
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "n2,t,note,tiktok,2026-06-01,kol,,interest,1,1,1,1,1,1,0,0", "row 2 (line 3).platform", "tiktok" },
        { "n2,t,podcast,xiaohongshu,2026-06-01,kol,,interest,1,1,1,1,1,1,0,0", "row 2 (line 3).kind", "podcast" },
        { "n2,t,note,xiaohongshu,2026-06-01,agency,,interest,1,1,1,1,1,1,0,0", "row 2 (line 3).owner", "agency" },
        { "n2,t,note,xiaohongshu,2026-06-01,kol,,hype,1,1,1,1,1,1,0,0", "row 2 (line 3).stage", "hype" },
        { "n2,t,note,xiaohongshu,2026-06-01,kol,,interest,-5,1,1,1,1,1,0,0", "row 2 (line 3).cost", "negative" },
        { "n2,t,note,xiaohongshu,2026-06-01,kol,,interest,1,-1,1,1,1,1,0,0", "row 2 (line 3).views", "negative" },
        { "n2,t,note,xiaohongshu,2026-13-01,kol,,interest,1,1,1,1,1,1,0,0", "row 2 (line 3).published_at", "not a time" },
        { "n1,t,note,xiaohongshu,2026-06-01,kol,,interest,1,1,1,1,1,1,0,0", "row 2 (line 3).content_id", "also on row 1" },
        { "n2,t,note,xiaohongshu,2026-06-01,kol,nobody,interest,1,1,1,1,1,1,0,0", "row 2.creator_id", "nobody" },
        { "n2,t,note,xiaohongshu,2026-06-01,kol,,interest,1,99999999999999999999,1,1,1,1,0,0", "row 2 (line 3).views", "whole number" },
        { "n2,,,,,,,,,,,,,,,", "row 2.title", "new item" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Import_BadRow_NamesRowAndColumn_StoresNothing(string badRow, string path, string message)
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var handler = new ImportContentHandler(store, new TestClock());
        var result = await handler.HandleAsync(Header + "\nn1,good,note,xiaohongshu,2026-06-01,kol,,interest,1,1,1,1,1,1,0,0\n" + badRow + "\n", CancellationToken.None);
        Assert.False(result.IsSuccess);
        Assert.Equal(path, result.Error!.Path);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_content"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_UnknownCreatorOnPostgresToo_StoresNothing(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        var result = await new ImportContentHandler(store, new TestClock()).HandleAsync(
            Header + "\nn1,a,note,xiaohongshu,2026-06-01,kol,,interest,1,1,1,1,1,1,0,0\nn2,b,note,xiaohongshu,2026-06-01,kol,ghost,interest,1,1,1,1,1,1,0,0\n",
            CancellationToken.None);
        Assert.Equal("row 2.creator_id", result.Error?.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_content"));
    }

    [Theory]
    [InlineData("", "header")]
    [InlineData("content_id,colour\nx,red\n", "header.colour")]
    [InlineData("title\nx\n", "header.content_id")]
    [InlineData(Header + "\n", "row 1")]
    [InlineData("content_id,views\n\"x,1\n", "line 2")]
    public async Task Import_BadFile_IsRefused(string csv, string path)
    {
        using var store = await TestStores.OpenAsync(TestStores.Sqlite);
        var result = await new ImportContentHandler(store, new TestClock()).HandleAsync(csv, CancellationToken.None);
        Assert.Equal(path, result.Error?.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_content"));
    }
}
