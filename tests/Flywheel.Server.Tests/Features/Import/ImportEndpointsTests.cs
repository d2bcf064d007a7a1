using System.Net;
using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Import;

/// <summary>POST /v1/imports: the import command over HTTP, with a shipped mapping or a mapping's YAML; refusals change nothing.</summary>
public sealed class ImportEndpointsTests
{
    private static string Body(object value) => JsonSerializer.Serialize(value);

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_ExportWithAMappingYaml_ImportsAndSummarises(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var mapping = "money: fen\nassume: paid\ncreate_missing: true\ncolumns:\n  order_id: 订单号\n  customer_id: 买家\n  placed_at: 时间\n  sku: 编码\n  quantity: 数量\n  unit_price: 单价\n";
        var data = "订单号,买家,时间,编码,数量,单价\nT1,u1,2026-05-01T10:00:00+08:00,K1,2,1999\nT2,,2026-05-02T10:00:00+08:00,K1,1,1999\nT3,u1,2026-05-03T10:00:00+08:00,K1,-1,1999\n";
        var response = await host.PostJsonAsync("/v1/imports", Body(new { kind = "orders", data, mapping }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await Json.ReadAsync(response);
        Assert.Equal(3, summary.GetProperty("inserted").GetInt64()); // T1, T2, and T3 (a return invoice, stored cancelled)
        Assert.Equal(1, summary.GetProperty("guest_orders").GetInt64());
        Assert.Equal(1, summary.GetProperty("returns_matched_units").GetInt64());
        Assert.Equal(1999, summary.GetProperty("returns_matched_amount").GetInt64());
        Assert.Equal(2, summary.GetProperty("orders_assumed_paid").GetInt64());
        Assert.Equal("partially_refunded", await TestStores.ScalarAsync(host.Store, "SELECT status FROM orders WHERE order_id = 'T1'"));
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("file").ValueKind); // no server path leaks
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Post_BadRowOrBadMapping_Is400NamingThePlace_AndWritesNothing(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var before = await TestStores.SnapshotAsync(host.Store);
        var badRow = "order_id,customer_id,placed_at,sku,quantity,unit_price,status\no1,u1,2026-05-01T10:00:00,k1,1,10.00,paid\no2,u1,2026-05-01T10:00:00,k1,1,10.00,lost\n";
        foreach (var (body, words) in new[]
                 {
                     (Body(new { kind = "orders", data = badRow, create_missing = true }), "upload.csv:3:7 (status)"),
                     (Body(new { kind = "orders", data = badRow, mapping = "no-such-layout" }), "no shipped mapping 'no-such-layout'"),
                     (Body(new { kind = "orders", data = badRow, mapping = "columns:\n  order_no: x\n" }), "'order_no' is not a column Flywheel reads"),
                     (Body(new { kind = "invoices", data = badRow }), "$.kind"),
                     (Body(new { kind = "orders" }), "$.data"),
                     (Body(new { kind = "orders", data = badRow, extra = 1 }), "unknown field"),
                     (Body(new { kind = "orders", data = badRow, skip_bad = "yes" }), "expected true or false"),
                 })
        {
            var response = await host.PostJsonAsync("/v1/imports", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(before, await TestStores.SnapshotAsync(host.Store));

        // With skip_bad the good row is stored and the refused one comes back with its reason.
        var skipped = await host.PostJsonAsync("/v1/imports", Body(new { kind = "orders", data = badRow, create_missing = true, skip_bad = true }));
        Assert.Equal(HttpStatusCode.OK, skipped.StatusCode);
        var summary = await Json.ReadAsync(skipped);
        Assert.Equal(1, summary.GetProperty("inserted").GetInt64());
        Assert.Contains("unknown status 'lost'", Assert.Single(summary.GetProperty("rejects").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }
}
