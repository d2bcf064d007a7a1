using System.Net;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Clv;

public sealed class ClvEndpointsTests
{
    /// <summary>The day (UTC+8) of the last order <see cref="SeedAsync"/> wrote.</summary>
    private string LastOrderDay { get; set; } = "";

    /// <summary>Customers c001… with 1–4 paid orders each between 2026-01-05 and 2026-10-30 (UTC+8), 50–300 yuan.</summary>
    private async Task SeedAsync(FlywheelStore store, int customers)
    {
        var random = new Random(3);
        var last = DateTimeOffset.MinValue;
        await using var session = await IngestSession.BeginAsync(store, "test", "clv", CancellationToken.None);
        for (var c = 1; c <= customers; c++)
        {
            var at = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(8)).AddDays(random.Next(200));
            for (var n = random.Next(1, 5); n > 0 && at.Month < 11; n--)
            {
                var order = new OrderRow { OrderId = $"o{c}-{n}", CustomerId = $"c{c:D3}", Status = "paid", PlacedAt = at.ToUnixTimeMilliseconds(), PaidAt = at.ToUnixTimeMilliseconds() };
                order.Lines.Add(new OrderLineRow { Sku = "k1", Quantity = 1, UnitPrice = random.Next(5_000, 30_000) });
                Assert.True(session.WriteOrder(order, createMissingProducts: true).IsSuccess);
                if (at > last) last = at;
                at = at.AddDays(random.Next(3, 60));
            }
        }
        await session.CommitAsync(customers, 0, CancellationToken.None);
        LastOrderDay = last.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PostFit_StoresIt_GetFitGivesTheLatest_AndCustomersGetTheirClv(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/clv/fit")).StatusCode);
        await SeedAsync(host.Store, 80);

        var posted = await host.PostJsonAsync("/v1/clv/fit", """{"calibration_end":"2026-10-31","unit":"week"}""");
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var fit = await Json.ReadAsync(posted);
        Assert.Equal("2026-10-31", fit.GetProperty("calibration_end").GetString());
        Assert.Equal("week", fit.GetProperty("unit").GetString());
        Assert.Equal(80, fit.GetProperty("customers").GetInt32());
        foreach (var key in new[] { "r", "alpha", "a", "b", "log_likelihood" })
            Assert.Equal(System.Text.Json.JsonValueKind.Number, fit.GetProperty("bgnbd").GetProperty(key).ValueKind);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "clv_fits"));

        var latest = await Json.ReadAsync(await host.Client.GetAsync("/v1/clv/fit"));
        Assert.Equal(fit.GetProperty("id").GetInt64(), latest.GetProperty("id").GetInt64());
        Assert.Equal(fit.GetProperty("bgnbd").GetProperty("r").GetDouble(), latest.GetProperty("bgnbd").GetProperty("r").GetDouble());

        // No body: calibration end at the end of the data (the last seeded order's day), not the test clock's 2026-11-01; weeks.
        var defaults = await host.Client.PostAsync("/v1/clv/fit", null);
        Assert.Equal(HttpStatusCode.Created, defaults.StatusCode);
        Assert.Equal(LastOrderDay, (await Json.ReadAsync(defaults)).GetProperty("calibration_end").GetString());

        var customer = await host.Client.GetAsync("/v1/clv/customers/c001?horizon=26&discount_rate=0.05");
        Assert.Equal(HttpStatusCode.OK, customer.StatusCode);
        var p = await Json.ReadAsync(customer);
        Assert.Equal(26, p.GetProperty("horizon").GetInt32());
        Assert.InRange(p.GetProperty("p_alive").GetDouble(), 0, 1);
        Assert.Equal(p.GetProperty("clv_fen").GetInt64() / 100m, p.GetProperty("clv").GetDecimal());

        var nobody = await host.Client.GetAsync("/v1/clv/customers/nobody");
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.True(Json.IsProblem(nobody));
        var badHorizon = await host.Client.GetAsync("/v1/clv/customers/c001?horizon=0");
        Assert.Equal(HttpStatusCode.BadRequest, badHorizon.StatusCode);
        Assert.Contains("$.horizon", await badHorizon.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task PostFit_BadInputOrTooFewCustomers_Is400AndStoresNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host.Store, 20);
        foreach (var (body, path, detail) in new[]
        {
            ("""{"calibration_end":"31/10/2026"}""", "$.calibration_end", "is not a date"),
            ("""{"calibration_end":"2026-11-02"}""", "$.calibration_end", "is after today"),
            ("""{"unit":"month"}""", "$.unit", "is not week or day"),
            ("""{"calibration_end":"2026-10-31"}""", "$", "20 customers to fit on; a fit needs at least 50"),
        })
        {
            var response = await host.PostJsonAsync("/v1/clv/fit", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(Json.IsProblem(response));
            var problem = await Json.ReadAsync(response);
            Assert.Equal("https://flywheel.dev/problems/invalid-input", problem.GetProperty("type").GetString());
            Assert.Equal(path, problem.GetProperty("errors")[0].GetProperty("path").GetString());
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "clv_fits"));
        var none = await host.Client.GetAsync("/v1/clv/fit");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.True(Json.IsProblem(none));
    }
}
