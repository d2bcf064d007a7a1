using Flywheel.Customers.Contracts;
using Flywheel.Customers.Features.ForgetCustomer;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Features;

public sealed class ForgetHandlerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task SeedAsync(FlywheelStore store)
    {
        await using var connection = await store.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO customers (customer_id, name, gender, birth_date, province, city, city_tier, created_at, updated_at)
            VALUES ('c1', '张三', 'male', '1988-08-08', '江苏', '苏州', 'new_tier1', 0, 0);
            INSERT INTO customer_identities (kind, value, customer_id, created_at) VALUES ('email', 'zs@example.com', 'c1', 0), ('phone', '13900001111', 'c1', 0);
            INSERT INTO customer_consents (customer_id, channel, purpose, status, changed_at, source) VALUES ('c1', 'sms', 'marketing', 'withdrawn', 5, 'unsubscribe_link:j:s:c1:1');
            INSERT INTO consent_history (customer_id, channel, purpose, status, changed_at, source) VALUES
                ('c1', 'sms', 'marketing', 'granted', 1, 'import:zs@example.com'), ('c1', 'sms', 'marketing', 'withdrawn', 5, 'unsubscribe_link:j:s:c1:1');
            """;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private sealed class Failing : IPersonalDataHolder
    {
        public Task<IReadOnlyList<ErasedCount>> EraseAsync(StoreWrite write, ForgetSubject subject, CancellationToken ct) =>
            throw new InvalidOperationException("holder broke");
    }

    private sealed class Recording : IPersonalDataHolder
    {
        public ForgetSubject? Subject { get; private set; }

        public Task<IReadOnlyList<ErasedCount>> EraseAsync(StoreWrite write, ForgetSubject subject, CancellationToken ct)
        {
            Subject = subject;
            return Task.FromResult<IReadOnlyList<ErasedCount>>([new("elsewhere", 0)]);
        }
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task AHolderThatFails_LeavesEverythingAsItWas(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await SeedAsync(store);
        await Assert.ThrowsAsync<InvalidOperationException>(() => new ForgetHandler(store, clock, [new Failing()]).ForgetAsync("c1", Ct));
        Assert.Equal("张三", await TestStores.ScalarAsync(store, "SELECT name FROM customers WHERE customer_id = 'c1'"));
        Assert.Equal(2, await TestStores.CountAsync(store, "customer_identities"));
        Assert.Equal(1, await TestStores.CountAsync(store, "customer_consents"));
        Assert.Equal(1, await TestStores.CountAsync(store, "consent_history", "source = 'import:zs@example.com'"));
        Assert.Equal(0, await TestStores.CountAsync(store, "customer_erasures"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Forget_ErasesOnce_KeepsSystemConsentSources_AndTellsHoldersTheAddresses(string engine)
    {
        var clock = new TestClock();
        using var store = await TestStores.OpenAsync(engine, clock);
        await SeedAsync(store);
        var holder = new Recording();
        var first = (await new ForgetHandler(store, clock, [holder]).ForgetAsync("c1", Ct)).Value;
        Assert.Equal(["13900001111", "zs@example.com"], holder.Subject!.Addresses.Order(StringComparer.Ordinal));
        Assert.Equal([("attributes", 3L), ("identities", 2L), ("consents", 1L), ("consent_sources", 1L), ("elsewhere", 0L)],
            first.Erased.Select(e => (e.Kind, e.Count)));
        Assert.False(first.AlreadyForgotten);
        Assert.Equal(clock.Now, first.ForgottenAt);
        Assert.Equal(1, await TestStores.CountAsync(store, "customers",
            "customer_id = 'c1' AND name IS NULL AND birth_date IS NULL AND city IS NULL AND gender = 'male' AND province = '江苏' AND city_tier = 'new_tier1'"));
        Assert.Equal(1, await TestStores.CountAsync(store, "consent_history", "source = 'unsubscribe_link:j:s:c1:1'"));
        Assert.Equal(1, await TestStores.CountAsync(store, "consent_history", "source = 'erased'"));

        clock.Advance(TimeSpan.FromDays(1));
        var second = (await new ForgetHandler(store, clock, [holder]).ForgetAsync("c1", Ct)).Value;
        Assert.True(second.AlreadyForgotten);
        Assert.Equal(0, second.Total);
        Assert.Equal(first.ForgottenAt, second.ForgottenAt);
        Assert.Contains("nothing more was erased", ForgetCustomerFeature.Text(second), StringComparison.Ordinal);
        Assert.Equal(7L, Convert.ToInt64(await TestStores.ScalarAsync(store, "SELECT erased FROM customer_erasures WHERE customer_id = 'c1'")));

        var unknown = await new ForgetHandler(store, clock, []).ForgetAsync("c2", Ct);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal(0, await TestStores.CountAsync(store, "customer_erasures", "customer_id = 'c2'"));
    }

    [Theory]
    [InlineData("c000123", false)]
    [InlineData("1234567", false)]
    [InlineData("a@b.cn", true)]
    [InlineData("13812345678", true)]
    [InlineData("+8613812345678", true)]
    [InlineData("tb_99", true)]
    public void IsPersonal_SpotsAnIdThatIsAnAddress(string id, bool personal) =>
        Assert.Equal(personal, ForgetHandler.IsPersonal(id, ["tb_99"]));
}
