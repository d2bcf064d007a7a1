using Flywheel.Tests;

namespace Flywheel.Grow.Tests.Storage;

/// <summary>Every store the tests open carries Grow's tables, empty, on both engines.</summary>
public sealed class GrowSchemaTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task NewStore_HasGrowsTablesEmpty(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        Assert.Contains(TestStores.Modules, set => set.Module == GrowModule.Name);
        foreach (var table in GrowModule.Migrations.Tables())
            Assert.Equal(0, await TestStores.CountAsync(store, table));
    }
}
