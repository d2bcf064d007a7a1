using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.UpsertCustomer;

public sealed class CustomersEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_NewCustomer_Is201_ThenUpdatedAndUnchangedAre200(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        const string body = """
            {"name":"王芳","gender":"女","city":"杭州","city_tier":"新一线","phone":"+86 138-0013-8000","email":"Fang@Example.com",
             "consents":[{"channel":"sms","purpose":"marketing","status":"granted","at":"2026-10-01T09:00:00+08:00","source":"tmall"}]}
            """;

        var created = await host.PutJsonAsync("/v1/customers/c-100", body);
        var unchanged = await host.PutJsonAsync("/v1/customers/c-100", body);
        var updated = await host.PutJsonAsync("/v1/customers/c-100", """{"city":"上海"}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("inserted", (await Json.ReadAsync(created)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        Assert.Equal("unchanged", (await Json.ReadAsync(unchanged)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("updated", (await Json.ReadAsync(updated)).GetProperty("outcome").GetString());
        Assert.Equal("female", await TestStores.ScalarAsync(host.Store, "SELECT gender FROM customers WHERE customer_id = 'c-100'"));
        Assert.Equal("上海", await TestStores.ScalarAsync(host.Store, "SELECT city FROM customers WHERE customer_id = 'c-100'"));
        Assert.Equal("13800138000", await TestStores.ScalarAsync(host.Store, "SELECT value FROM customer_identities WHERE kind = 'phone'"));
        Assert.Equal("granted", await TestStores.ScalarAsync(host.Store, "SELECT status FROM customer_consents WHERE customer_id = 'c-100' AND channel = 'sms'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_AddingAnIdentityOrConsent_IsUpdated_AndSaysWhatChanged(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PutJsonAsync("/v1/customers/c-7", """{"name":"王芳","city":"杭州"}""");

        var email = await host.PutJsonAsync("/v1/customers/c-7", """{"name":"王芳","email":"fang@example.com"}""");
        var phoneAndCity = await host.PutJsonAsync("/v1/customers/c-7", """{"city":"上海","phone":"13800138000"}""");
        var consent = await host.PutJsonAsync("/v1/customers/c-7",
            """{"consents":[{"channel":"email","purpose":"marketing","status":"granted","at":"2026-10-01T09:00:00+08:00"}]}""");
        var again = await host.PutJsonAsync("/v1/customers/c-7", """{"name":"王芳","email":"fang@example.com","phone":"13800138000"}""");

        static async Task<(string Outcome, string[] Changed)> Read(HttpResponseMessage response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await Json.ReadAsync(response);
            return (json.GetProperty("outcome").GetString()!, [.. json.GetProperty("changed").EnumerateArray().Select(x => x.GetString()!)]);
        }
        Assert.Equal(("updated", new[] { "email" }), await Read(email), OutcomeComparer.Instance);
        Assert.Equal(("updated", new[] { "city", "phone" }), await Read(phoneAndCity), OutcomeComparer.Instance);
        Assert.Equal(("updated", new[] { "consents" }), await Read(consent), OutcomeComparer.Instance);
        Assert.Equal(("unchanged", Array.Empty<string>()), await Read(again), OutcomeComparer.Instance);
        Assert.Equal("fang@example.com", await TestStores.ScalarAsync(host.Store, "SELECT value FROM customer_identities WHERE customer_id = 'c-7' AND kind = 'email'"));
    }

    private sealed class OutcomeComparer : IEqualityComparer<(string Outcome, string[] Changed)>
    {
        public static readonly OutcomeComparer Instance = new();

        public bool Equals((string Outcome, string[] Changed) x, (string Outcome, string[] Changed) y) =>
            x.Outcome == y.Outcome && x.Changed.Order(StringComparer.Ordinal).SequenceEqual(y.Changed.Order(StringComparer.Ordinal));

        public int GetHashCode((string Outcome, string[] Changed) obj) => obj.Outcome.GetHashCode(StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_PhoneOwnedByAnotherCustomer_Is409AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await host.PutJsonAsync("/v1/customers/c-1", """{"phone":"13800138000"}""");
        var before = await TestStores.SnapshotAsync(host.Store);

        var response = await host.PutJsonAsync("/v1/customers/c-2", """{"name":"李雷","phone":"138 0013 8000"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("https://flywheel.dev/problems/conflict", problem.GetProperty("type").GetString());
        Assert.Equal("$.phone", problem.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_BodyCustomerIdDiffersFromRoute_Is400(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PutJsonAsync("/v1/customers/c-1", """{"customer_id":"c-2","name":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("$.customer_id", (await Json.ReadAsync(response)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "customers"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Put_InvalidConsent_Is400WithItsPath(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);

        var response = await host.PutJsonAsync("/v1/customers/c-1",
            """{"consents":[{"channel":"email","purpose":"marketing","status":"granted"},{"channel":"sms","purpose":"spam","status":"granted"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Json.ReadAsync(response)).GetProperty("errors")[0];
        Assert.Equal("$.consents[1].purpose", error.GetProperty("path").GetString());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "customers"));
    }
}
