using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Promotions page: the active promotions, the cart simulator and the draft simulation, against the API.</summary>
public sealed partial class ConsoleBrowserTests
{
    private static string Fen(long fen) => "¥" + (fen / 100m).ToString("N2", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> PostJsonAsync(HttpClient api, string path, string json)
    {
        using var response = await api.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await Json.ReadAsync(response);
    }

    private static async Task AssertPromotionsEqualApiAsync(IPage page, HttpClient api, string activeText)
    {
        var active = await GetJsonAsync(api, "/v1/promotions?status=active");
        Assert.True(active.GetArrayLength() >= 3, "the demo store runs three promotions");
        await Assertions.Expect(page.Locator("#promotions-table tbody tr")).ToHaveCountAsync(active.GetArrayLength());
        foreach (var p in active.EnumerateArray())
        {
            var row = page.Locator($"#promotions-table tbody tr[data-key=\"{p.GetProperty("id").GetString()}\"]");
            await Assertions.Expect(row.Locator("[data-column=name]")).ToHaveTextAsync(p.GetProperty("name").GetString()!);
            await Assertions.Expect(row.Locator("[data-column=status]")).ToHaveTextAsync(activeText);
            await Assertions.Expect(row.Locator("[data-column=kind]")).ToContainTextAsync(p.GetProperty("mechanic").GetProperty("type").GetString()!);
        }
        var pipeline = await GetJsonAsync(api, "/v1/promotions/pipeline");
        await Assertions.Expect(page.Locator("#pipeline")).ToHaveAttributeAsync("data-steps",
            string.Join(',', pipeline.GetProperty("steps").EnumerateArray().Select(s => s.GetString())));
    }

    [Fact]
    public async Task Promotions_AsMarketer_TableEqualsTheApi_CartSimulatorPricesAsTheApi_AndADraftSimulates()
    {
        var (page, key) = await SignInAsync(Roles.Marketer);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "促销" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("促销");
        await AssertPromotionsEqualApiAsync(page, api, "进行中");

        // The cart simulator: the example cart priced in the page equals the API's answer for the request the page sent.
        await page.GetByLabel("第 1 行数量").FillAsync("2");
        await page.GetByLabel("会员等级").SelectOptionAsync("gold");
        await page.GetByRole(AriaRole.Button, new() { Name = "计算价格" }).ClickAsync();
        await Assertions.Expect(page.Locator("#cart-total")).ToBeVisibleAsync();
        var request = await page.Locator("#cart-request").TextContentAsync();
        using (var sent = JsonDocument.Parse(request!))
        {
            Assert.Equal(2, sent.RootElement.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
            Assert.Equal("gold", sent.RootElement.GetProperty("customer_tier").GetString());
        }
        var priced = await PostJsonAsync(api, "/v1/carts/price", request!);
        var total = priced.GetProperty("total").GetInt64();
        await Assertions.Expect(page.Locator("#cart-total")).ToHaveTextAsync(Fen(total));
        await Assertions.Expect(page.Locator("#cart-total")).ToHaveAttributeAsync("data-fen", total.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#cart-total-discount")).ToHaveTextAsync(Fen(priced.GetProperty("discount").GetInt64()));
        Assert.True(priced.GetProperty("discount").GetInt64() > 0, "the example cart earns the demo store's discounts");
        foreach (var line in priced.GetProperty("lines").EnumerateArray())
        {
            var row = page.Locator($"#cart-priced-lines tbody tr[data-key=\"{line.GetProperty("line_id").GetString()}\"]");
            await Assertions.Expect(row.Locator("[data-column=paid]")).ToHaveTextAsync(Fen(line.GetProperty("paid").GetInt64()));
        }
        var steps = priced.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("steps").GetArrayLength());
        await Assertions.Expect(page.Locator("#cart-priced-steps tbody tr")).ToHaveCountAsync(steps);
        // The explanation: every active promotion is said to apply or not, and why.
        var active = await GetJsonAsync(api, "/v1/promotions?status=active");
        foreach (var p in active.EnumerateArray())
            await Assertions.Expect(page.Locator($"#cart-why li[data-id=\"{p.GetProperty("id").GetString()}\"]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#cart-why li.applied[data-id=flagship-tiers]")).ToContainTextAsync("已享受");

        // The draft simulation: the example draft, validated and replayed on the page's days, equals the API's report.
        await page.GetByRole(AriaRole.Button, new() { Name = "校验并模拟" }).ClickAsync();
        await Assertions.Expect(page.Locator("#draft-summary")).ToBeVisibleAsync();
        var draft = await page.GetByLabel("促销草稿（JSON 数组，金额单位为分）").InputValueAsync();
        var from = await page.Locator("#draft-summary").GetAttributeAsync("data-from");
        var to = await page.Locator("#draft-summary").GetAttributeAsync("data-to");
        Assert.Equal(await page.Locator("#draft-from").InputValueAsync(), from);
        var validation = await PostJsonAsync(api, "/v1/promotions/validate", draft);
        await Assertions.Expect(page.Locator(validation.GetProperty("valid").GetBoolean() ? "#draft-valid" : "#draft-invalid")).ToBeVisibleAsync();
        var simulation = await PostJsonAsync(api, $"/v1/promotions/simulate?from={from}&to={to}", draft);
        await Assertions.Expect(page.Locator("#sim-orders")).ToHaveTextAsync(simulation.GetProperty("orders").GetInt32().ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#sim-cost")).ToHaveTextAsync(Fen(simulation.GetProperty("discount").GetInt64() + simulation.GetProperty("shipping_waived").GetInt64()));
        await Assertions.Expect(page.Locator("#draft-outcomes tbody tr")).ToHaveCountAsync(simulation.GetProperty("promotions").GetArrayLength());
        Assert.True(simulation.GetProperty("orders").GetInt32() > 0, "the demo store has orders in the last 30 days");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "promotions-zh.png"), FullPage = true });

        // A broken draft shows the errors with their JSON paths.
        await page.GetByLabel("促销草稿（JSON 数组，金额单位为分）").FillAsync(
            """[{"id":"bad","name":"满100减200","stage":"store","mechanic":{"type":"threshold","threshold":10000,"amount_off":20000}}]""");
        await page.GetByRole(AriaRole.Button, new() { Name = "校验并模拟" }).ClickAsync();
        await Assertions.Expect(page.Locator("#draft-invalid li[data-path=\"$[0].mechanic.amount_off\"]")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Promotions");
        await AssertPromotionsEqualApiAsync(page, api, "active");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore the example" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate and simulate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#draft-summary")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cart-total")).ToHaveTextAsync(Fen(total));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "promotions-en.png"), FullPage = true });
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Analyst)]
    public async Task Promotions_WithoutCheckoutOrMarketingWrite_ShowsTheTable_AndOffersNoSimulator(string role)
    {
        var (page, key) = await SignInAsync(role);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "促销" }).ClickAsync();
        await AssertPromotionsEqualApiAsync(page, api, "进行中");
        await Assertions.Expect(page.Locator("#cart-denied")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#draft-denied")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cart-form, #draft-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "计算价格" })).ToHaveCountAsync(0);
        // The API agrees: pricing a cart and simulating a draft are refused to this role.
        using var refused = await api.PostAsync("/v1/carts/price", new StringContent("""{"lines":[]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
