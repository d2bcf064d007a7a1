using Flywheel.Storage;
using Flywheel.Analytics.Storage;
using Flywheel.Tests;

namespace Flywheel.Analytics.Tests.Storage;

public sealed class GoalStoreTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task SaveListDelete_RoundTrips(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        var ct = CancellationToken.None;
        Assert.Empty(await GoalStore.ListAsync(store, ct));

        await GoalStore.SaveAsync(store, "g_b", """{"name":"first"}""", ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        await GoalStore.SaveAsync(store, "g_a", """{"name":"second"}""", ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        await GoalStore.SaveAsync(store, "g_b", """{"name":"first, edited"}""", ct); // replaces, keeps created_at

        var goals = await GoalStore.ListAsync(store, ct);
        Assert.Equal(["g_b", "g_a"], goals.Select(g => g.Id));
        Assert.Equal("""{"name":"first, edited"}""", goals[0].Definition);
        Assert.Equal(new TestClock().Now.ToUnixTimeMilliseconds(), goals[0].CreatedAt.ToUnixTimeMilliseconds());

        Assert.True(await GoalStore.DeleteAsync(store, "g_b", ct));
        Assert.False(await GoalStore.DeleteAsync(store, "g_b", ct));
        Assert.Equal("g_a", Assert.Single(await GoalStore.ListAsync(store, ct)).Id);
    }
}
