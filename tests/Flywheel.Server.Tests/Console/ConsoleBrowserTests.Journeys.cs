using System.Net;
using System.Text;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Journeys and broadcasts page: the lists and the results against the API, activate and pause as a marketer.</summary>
public sealed partial class ConsoleBrowserTests
{
    private static readonly Dictionary<string, string> StatusZh = new(StringComparer.Ordinal)
    {
        ["draft"] = "草稿", ["active"] = "运行中", ["paused"] = "已暂停", ["archived"] = "已归档",
        ["planned"] = "待发送", ["planning"] = "规划中", ["sending"] = "发送中", ["done"] = "已完成", ["cancelled"] = "已取消",
    };

    private static async Task AssertJourneysEqualApiAsync(IPage page, HttpClient api, Func<string, string> status)
    {
        var journeys = await GetJsonAsync(api, "/v1/journeys");
        Assert.True(journeys.GetArrayLength() >= 1, "the demo store has a journey");
        await Assertions.Expect(page.Locator("#journeys-table tbody tr")).ToHaveCountAsync(journeys.GetArrayLength());
        foreach (var j in journeys.EnumerateArray())
        {
            var row = page.Locator($"#journeys-table tbody tr[data-key=\"{j.GetProperty("journey_id").GetString()}\"]");
            await Assertions.Expect(row.Locator("[data-column=name]")).ToHaveTextAsync(j.GetProperty("name").GetString()!);
            await Assertions.Expect(row.Locator("[data-column=status]")).ToHaveTextAsync(status(j.GetProperty("status").GetString()!));
        }
        var broadcasts = await GetJsonAsync(api, "/v1/broadcasts");
        Assert.True(broadcasts.GetArrayLength() >= 1, "the demo store has a broadcast");
        await Assertions.Expect(page.Locator("#broadcasts-table tbody tr")).ToHaveCountAsync(broadcasts.GetArrayLength());
        foreach (var b in broadcasts.EnumerateArray())
        {
            var row = page.Locator($"#broadcasts-table tbody tr[data-key=\"{b.GetProperty("broadcast_id").GetString()}\"]");
            await Assertions.Expect(row.Locator("[data-column=name]")).ToHaveTextAsync(b.GetProperty("name").GetString()!);
            await Assertions.Expect(row.Locator("[data-column=status]")).ToHaveTextAsync(status(b.GetProperty("status").GetString()!));
            await Assertions.Expect(row.Locator("[data-column=planned]")).ToHaveTextAsync(b.GetProperty("planned").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static async Task AssertStatsEqualApiAsync(IPage page, HttpClient api, string kind, string id)
    {
        await Assertions.Expect(page.Locator($"#detail[data-kind={kind}][data-id=\"{id}\"]")).ToBeVisibleAsync();
        var stats = await GetJsonAsync(api, $"/v1/{kind}s/{id}/stats");
        foreach (var (table, property) in new[] { ("stats-variants", "variants"), ("stats-steps", "steps"), ("stats-lift", "lifts") })
        {
            var count = stats.GetProperty(property).GetArrayLength();
            // An empty table says so in one row spanning the columns.
            await Assertions.Expect(page.Locator($"#{table} tbody tr")).ToHaveCountAsync(Math.Max(1, count));
            if (count == 0) await Assertions.Expect(page.Locator($"#{table} tbody td[colspan]")).ToHaveCountAsync(1);
        }
    }

    private static async Task<string> JourneyStatusAsync(HttpClient api, string id) =>
        (await GetJsonAsync(api, "/v1/journeys/" + id)).GetProperty("status").GetString()!;

    [Fact]
    public async Task Journeys_AsMarketer_ListsEqualTheApi_AndActivateAndPauseChangeTheStatusInTheApi()
    {
        var (page, key) = await SignInAsync(Roles.Marketer);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "旅程与群发" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("旅程与群发");
        await AssertJourneysEqualApiAsync(page, api, s => StatusZh[s]);

        // The demo journey is selected first; its results equal the API's, and its status button moves it.
        await page.GetByRole(AriaRole.Link, new() { Name = "新客首单关怀" }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "journey", "first_order_care");
        var before = await JourneyStatusAsync(api, "first_order_care");
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("data-status", before);
        var first = before == "active" ? "paused" : "active";
        var second = first == "active" ? "paused" : "active";
        await page.GetByRole(AriaRole.Button, new() { Name = first == "active" ? "启用旅程" : "暂停旅程" }).ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("data-status", first);
        Assert.Equal(first, await JourneyStatusAsync(api, "first_order_care"));
        await Assertions.Expect(page.Locator("#journey-message")).ToContainTextAsync(StatusZh[first]);
        await Assertions.Expect(page.Locator("#journeys-table tbody tr[data-key=first_order_care] [data-column=status]")).ToHaveTextAsync(StatusZh[first]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "journeys-zh.png"), FullPage = true });
        await Assertions.Expect(page.Locator("#journey-status")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("data-status", second);
        Assert.Equal(second, await JourneyStatusAsync(api, "first_order_care"));

        // A broadcast's results.
        await page.GetByRole(AriaRole.Link, new() { Name = "双11 预热" }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "broadcast", "d11_warmup");
        await Assertions.Expect(page.Locator("#journey-status")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Journeys & broadcasts");
        await AssertJourneysEqualApiAsync(page, api, s => s);
        await page.GetByRole(AriaRole.Link, new() { Name = "新客首单关怀" }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "journey", "first_order_care");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = second == "active" ? "Pause journey" : "Activate journey" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "journeys-en.png"), FullPage = true });
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Analyst)]
    public async Task Journeys_WithoutMarketingWrite_ShowsListsAndResults_AndNoStatusButtons(string role)
    {
        var (page, key) = await SignInAsync(role);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "旅程与群发" }).ClickAsync();
        await AssertJourneysEqualApiAsync(page, api, s => StatusZh[s]);
        await page.GetByRole(AriaRole.Link, new() { Name = "新客首单关怀" }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "journey", "first_order_care");
        await Assertions.Expect(page.Locator("#journey-status")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "启用旅程" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "暂停旅程" })).ToHaveCountAsync(0);
        using var refused = await api.PostAsync("/v1/journeys/first_order_care/status", new StringContent("""{"status":"active"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
