using Flywheel.Customers.Profiles;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Customers.Tests.Profiles;

public class ProfileTableTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Load_ReadsAttributesAndGrantedConsents_AndWithChangesRereadsOnlyThose(string engine)
    {
        using var store = await TestStores.OpenAsync(engine);
        await using (var session = await IngestSession.BeginAsync(store, "test", "t", CancellationToken.None))
        {
            var li = new CustomerRow
            {
                CustomerId = "u2", Gender = "female", BirthDate = "1995-03-08", Province = "浙江", CityTier = "new_tier1",
                Present = CustomerFields.Gender | CustomerFields.BirthDate | CustomerFields.Province | CustomerFields.CityTier,
            };
            li.Consents.Add(new ConsentChange("sms", "marketing", "granted", 1, "import"));
            li.Consents.Add(new ConsentChange("email", "marketing", "withdrawn", 1, "import"));
            session.UpsertCustomer(li);
            session.UpsertCustomer(new CustomerRow { CustomerId = "u1" });
            await session.CommitAsync(2, 0, CancellationToken.None);
        }
        var table = await ProfileTable.LoadAsync(store, CancellationToken.None);
        Assert.Equal(["u1", "u2"], table.CustomerIds);
        var row = table.Row("u2");
        Assert.Equal(("female", new DateOnly(1995, 3, 8), "浙江", "new_tier1"), (table.Gender[row], table.BirthDate[row], table.Province[row], table.CityTier[row]));
        Assert.True(table.HasConsent(row, "sms"));
        Assert.False(table.HasConsent(row, "email"));
        Assert.False(table.HasConsent(table.Row("u1"), "sms"));
        Assert.Equal(-1, table.Row("nobody"));

        await using (var session = await IngestSession.BeginAsync(store, "test", "t", CancellationToken.None))
        {
            var change = new CustomerRow { CustomerId = "u2" };
            change.Consents.Add(new ConsentChange("sms", "marketing", "withdrawn", 2, "unsubscribe"));
            session.UpsertCustomer(change);
            session.UpsertCustomer(new CustomerRow { CustomerId = "u0", Province = "四川", Present = CustomerFields.Province });
            await session.CommitAsync(2, 0, CancellationToken.None);
        }
        var refreshed = await table.WithChanges(store, ["u2", "u0"], CancellationToken.None);
        Assert.False(refreshed.HasConsent(refreshed.Row("u2"), "sms"));
        Assert.Equal("浙江", refreshed.Province[refreshed.Row("u2")]);
        Assert.Equal("四川", refreshed.Province[refreshed.Row("u0")]);
        Assert.Equal(2, refreshed.Row("u0")); // new customers are appended; existing rows keep their numbers
        Assert.True(table.HasConsent(row, "sms")); // the original is untouched
    }
}
