using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Features.Creators;
using Flywheel.Grow.Storage;
using Flywheel.Primitives;
using Flywheel.Promotions;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Features.Creators;

/// <summary>Creators and collaborations in the store, on both engines: upserts, all-or-nothing imports, coupon codes, status moves.</summary>
public sealed class CreatorsStoreTests
{
    internal static CreatorsHandler Handler(FlywheelStore store, TimeProvider clock) =>
        new(store, new CreatorStore(store, clock), PromotionsModule.CouponIssuer(store), new NoLinkOrders(), clock);

    private const string GoodCsv = """
        creator_id,name,platform,followers,tier,category
        kol_a,小美,xiaohongshu,1200000,head,美妆
        kol_b,"阿花, 测评",douyin,35000,koc,母婴
        kol_c,路人甲,weibo,800,amateur,
        """;

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Import_GoodFile_AddsThenUpdates(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var handler = Handler(store, clock);
        var first = await handler.ImportCreatorsAsync(GoodCsv, CancellationToken.None);
        Assert.Equal(new CreatorsSaved(3, 0), first.Value);
        var again = await handler.ImportCreatorsAsync(GoodCsv.Replace("35000,koc", "150000,tail"), CancellationToken.None);
        Assert.Equal(new CreatorsSaved(0, 3), again.Value);
        var list = await handler.ListCreatorsAsync(CancellationToken.None);
        Assert.Equal(["kol_a", "kol_b", "kol_c"], list.Select(c => c.CreatorId));
        Assert.Equal(new Creator("kol_b", "阿花, 测评", "douyin", 150000, "tail", "母婴"), list[1]);
        Assert.Null(list[2].Category);
    }

    [Theory]
    [InlineData("kol_x,X,myspace,10,koc,", "row 4.platform", "myspace")]
    [InlineData("kol_x,X,douyin,-5,koc,", "row 4.followers", "negative")]
    [InlineData("kol_x,X,douyin,99999999999999999999,koc,", "row 4.followers", "not a whole number")]
    [InlineData("kol_x,X,douyin,10,superstar,", "row 4.tier", "superstar")]
    [InlineData("kol_a,X,douyin,10,koc,", "row 4.creator_id", "row 1")]
    [InlineData("kol_x,X,douyin,10", "row 4", "fields")]
    public async Task Import_BadRow_NamesRowAndColumn_StoresNothing(string badLine, string path, string says)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        var result = await Handler(store, clock).ImportCreatorsAsync(GoodCsv + "\n" + badLine, CancellationToken.None);
        Assert.False(result.IsSuccess);
        Assert.Equal(path, result.Error!.Path);
        Assert.Contains(says, result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_creators"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Collaboration_IssuesItsCouponCode_AndMovesForwardOnly(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var handler = Handler(store, clock);
        Assert.True((await handler.ImportCreatorsAsync(GoodCsv, CancellationToken.None)).IsSuccess);
        await CouponsAsync(store, "kol_codes");

        var input = new CollaborationInput("co_1", "kol_a", "双11 种草笔记", 500_000, 1_000, "3 notes", "2026-11-01T20:00:00+08:00", "lnk-1", null, "kol_codes", null);
        var added = await handler.AddCollaborationAsync(input, CancellationToken.None);
        Assert.True(added.IsSuccess, added.Error?.ToString());
        var code = added.Value.CouponCode;
        Assert.Matches("^[2-9A-Z]{12}$", code!);
        Assert.Equal("collab:co_1", await TestStores.ScalarAsync(store, $"SELECT customer_id FROM coupons WHERE code = '{code}'"));
        Assert.Equal(CollaborationStatus.Planned, added.Value.Status);

        var duplicate = await handler.AddCollaborationAsync(input with { CouponBatchId = null }, CancellationToken.None);
        Assert.Equal(ErrorKind.Conflict, duplicate.Error!.Kind);
        Assert.Equal("collab_id", duplicate.Error.Path);
        var unknown = await handler.AddCollaborationAsync(input with { CollabId = "co_2", CreatorId = "kol_zz" }, CancellationToken.None);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal("creator_id", unknown.Error.Path);
        var noBatch = await handler.AddCollaborationAsync(input with { CollabId = "co_3", CouponBatchId = "no_such_batch" }, CancellationToken.None);
        Assert.Equal("coupon_batch_id", noBatch.Error!.Path);
        var sameCode = await handler.AddCollaborationAsync(input with { CollabId = "co_4", CouponBatchId = null, CouponCode = code }, CancellationToken.None);
        Assert.Equal(ErrorKind.Conflict, sameCode.Error!.Kind);
        Assert.Equal(1, await TestStores.CountAsync(store, "grow_collaborations"));

        Assert.Equal("posted", (await handler.UpdateCollaborationAsync("co_1", "posted", null, CancellationToken.None)).Value.Status);
        var back = await handler.UpdateCollaborationAsync("co_1", "contracted", null, CancellationToken.None);
        Assert.Equal(ErrorKind.Conflict, back.Error!.Kind);
        Assert.Equal("settled", (await handler.UpdateCollaborationAsync("co_1", "settled", "lnk-2", CancellationToken.None)).Value.Status);
        var stored = (await handler.ListCollaborationsAsync("kol_a", null, CancellationToken.None)).Value.Single();
        Assert.Equal(("settled", "lnk-2", code, 500_000L, 1_000), (stored.Status, stored.LinkCode, stored.CouponCode, stored.Fee, stored.CommissionBp));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), stored.PostingAt);
        Assert.Equal(ErrorKind.NotFound, (await handler.UpdateCollaborationAsync("co_9", "posted", null, CancellationToken.None)).Error!.Kind);
    }

    [Theory]
    [InlineData(-1L, 1000L, "2026-11-01T20:00:00+08:00", "fee")]
    [InlineData(long.MaxValue, 1000L, "2026-11-01T20:00:00+08:00", "fee")]
    [InlineData(100L, 10001L, "2026-11-01T20:00:00+08:00", "commission_bp")]
    [InlineData(100L, -1L, "2026-11-01T20:00:00+08:00", "commission_bp")]
    [InlineData(100L, 1000L, "2026-11-01", "posting_at")]
    [InlineData(100L, 1000L, "soon", "posting_at")]
    public async Task Collaboration_BadField_IsNamed_StoresNothing(long fee, long bp, string posting, string path)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        var handler = Handler(store, clock);
        Assert.True((await handler.ImportCreatorsAsync(GoodCsv, CancellationToken.None)).IsSuccess);
        var result = await handler.AddCollaborationAsync(new CollaborationInput("co_1", "kol_a", "t", fee, bp, null, posting, null, null, null, null), CancellationToken.None);
        Assert.Equal(path, result.Error!.Path);
        Assert.Equal(0, await TestStores.CountAsync(store, "grow_collaborations"));
    }

    internal static async Task CouponsAsync(FlywheelStore store, string batchId)
    {
        var created = await Flywheel.Promotions.Contracts.PartnerCouponBatches.EnsureAsync(store, batchId, "KOL 专属券", 1_000, 1_000, 60, CancellationToken.None);
        Assert.True(created.IsSuccess && created.Value, created.Error?.ToString());
    }
}
