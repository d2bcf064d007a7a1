using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using Npgsql;

namespace Flywheel.Storage.Tests;

public class FlywheelStoreTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Open_Twice_AppliesMigrationsOnce(string engine)
    {
        var location = TestStores.NewLocation(engine);
        using (var first = (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value)
            await first.SetSettingAsync("time_zone", "Asia/Urumqi", CancellationToken.None);
        using var second = (await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None)).Value;
        Assert.Equal(StoreSchema.Record.Migrations.Count + TestStores.Modules.Sum(m => m.Migrations.Count), await TestStores.CountAsync(second, "module_migrations"));
        Assert.Equal("Asia/Urumqi", await second.GetSettingAsync("time_zone", "Asia/Shanghai", CancellationToken.None));
        // The store-wide ledger of stores made before module sets is only read, never created.
        Assert.Equal(0L, Convert.ToInt64(await TestStores.ScalarAsync(second, engine == TestStores.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'schema_migrations'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Open_UnreachablePostgres_SaysWhichHostWithoutThrowing()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var location = StoreLocation.Postgres("Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=flywheel;Timeout=3");
        var opened = await FlywheelStore.OpenAsync(location, new TestClock(), TestStores.Modules, CancellationToken.None);
        Assert.False(opened.IsSuccess);
        Assert.Equal("unavailable", opened.Error!.Code);
        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", opened.Error.Message, StringComparison.Ordinal);
        Assert.Contains("database 'flywheel'", opened.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PostgresWithWrongPassword_SaysSo()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestStores.PostgresServer) { Password = "definitely-wrong", Database = "flywheel_x" };
        var opened = await FlywheelStore.OpenAsync(StoreLocation.Postgres(builder.ConnectionString), new TestClock(), TestStores.Modules, CancellationToken.None);
        Assert.False(opened.IsSuccess);
        Assert.Contains("password authentication failed", opened.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DbOptionThenEnvironmentThenDataFolder()
    {
        Assert.Equal(SqlEngine.Postgres, StoreLocation.Resolve(null, "Host=h;Database=d", _ => null).Engine);
        Assert.Equal(SqlEngine.Postgres, StoreLocation.Resolve(null, null, _ => "Host=h;Database=d").Engine);
        var sqlite = StoreLocation.Resolve(null, null, _ => null);
        Assert.Equal(SqlEngine.Sqlite, sqlite.Engine);
        Assert.EndsWith(Path.Combine("flywheel-data", "flywheel.db"), sqlite.Description, StringComparison.Ordinal);
        // An explicit --data folder wins over FLYWHEEL_DB in the environment.
        Assert.Equal(SqlEngine.Sqlite, StoreLocation.Resolve("/tmp/x", null, _ => "Host=h;Database=d").Engine);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Session_DisposedWithoutCommit_LeavesStoreUnchanged(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "rollback", CancellationToken.None))
        {
            session.WriteEvent(Event("e1", "u1"));
            session.UpsertProduct(new ProductRow { Sku = "k1", Name = "n", Category = "c", ListPrice = 100 });
        }
        Assert.Equal(0, await TestStores.CountAsync(store, "events"));
        Assert.Equal(0, await TestStores.CountAsync(store, "customers"));
        Assert.Equal(0, await TestStores.CountAsync(store, "ingests"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task WriteEvent_SameIdFromConcurrentSessions_IsStoredOnce(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        // Eight sessions race to store the same 200 events; the unique key, not a check-then-insert, decides.
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var session = await IngestSession.BeginAsync(store, "test", "race", CancellationToken.None);
            long inserted = 0;
            for (var i = 0; i < 200; i++)
                if (session.WriteEvent(Event($"e{i}", $"u{i % 7}")) == WriteOutcome.Inserted) inserted++;
            await session.CommitAsync(200, 0, CancellationToken.None);
            return inserted;
        })).ToArray();
        var inserted = await Task.WhenAll(tasks);
        Assert.Equal(200, inserted.Sum());
        Assert.Equal(200, await TestStores.CountAsync(store, "events"));
        Assert.Equal(7, await TestStores.CountAsync(store, "customers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Identify_AnonymousIdOfAnotherCustomer_IsAConflict(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using var session = await IngestSession.BeginAsync(store, "test", "identify", CancellationToken.None);
        session.WriteEvent(new EventRow { EventId = "a1", Type = "page_view", Time = 1_770_000_000_000, AnonymousId = "dev" });
        Assert.Equal(1, session.Identify("dev", "u1", 1_770_000_000_001, null).Value);
        var again = session.Identify("dev", "u2", 1_770_000_000_002, null);
        Assert.Equal("conflict", again.Error!.Code);
        Assert.Equal(0, session.Identify("dev", "u1", 1_770_000_000_003, null).Value);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task RecordConsent_OlderChangeThanStored_DoesNotOverride(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "consent", CancellationToken.None))
        {
            session.RecordConsent("u1", new ConsentChange("sms", "marketing", "withdrawn", 2_000, "sms reply TD"));
            session.RecordConsent("u1", new ConsentChange("sms", "marketing", "granted", 1_000, "old signup form"));
            await session.CommitAsync(2, 0, CancellationToken.None);
        }
        Assert.Equal("withdrawn", await TestStores.ScalarAsync(store, "SELECT status FROM customer_consents WHERE customer_id = 'u1'"));
        Assert.Equal(1, await TestStores.CountAsync(store, "consent_history"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Schema_RejectsNegativeMoneyEvenIfACallerForgetsToValidate(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using var session = await IngestSession.BeginAsync(store, "test", "constraints", CancellationToken.None);
        Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            session.UpsertProduct(new ProductRow { Sku = "k1", Name = "n", Category = "c", ListPrice = -1 }));
    }

    private static EventRow Event(string id, string customer) =>
        new() { EventId = id, Type = "page_view", Time = 1_770_000_000_000, CustomerId = customer };
}
