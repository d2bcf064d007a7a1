using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
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

    /// <summary>The page's three results tables equal the API's stats row for row and cell for cell; returns the stats.</summary>
    private static async Task<JsonElement> AssertStatsEqualApiAsync(IPage page, HttpClient api, string kind, string id, bool english = false)
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

        static string Count(JsonElement e) => e.GetInt64().ToString("N0", CultureInfo.InvariantCulture);
        static string Fen(JsonElement e) => "¥" + (e.GetInt64() / 100m).ToString("N2", CultureInfo.InvariantCulture);
        static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        var yes = english ? "yes" : "是";
        var no = english ? "no" : "否";
        async Task Cells(string table, string key, params (string Column, string Text)[] cells)
        {
            var row = page.Locator($"#{table} tbody tr[data-key=\"{key}\"]");
            foreach (var (column, text) in cells) await Assertions.Expect(row.Locator($"[data-column={column}]")).ToHaveTextAsync(text);
        }
        foreach (var v in stats.GetProperty("variants").EnumerateArray())
            await Cells("stats-variants", v.GetProperty("variant").GetString()!, ("variant", v.GetProperty("variant").GetString()!),
                ("holdout", v.GetProperty("holdout").GetBoolean() ? yes : no), ("entered", Count(v.GetProperty("entered"))),
                ("converted", Count(v.GetProperty("converted"))), ("conversion_rate", F2(v.GetProperty("conversion_rate").GetDouble() * 100) + "%"),
                ("revenue", Fen(v.GetProperty("revenue"))));
        foreach (var s in stats.GetProperty("steps").EnumerateArray())
        {
            var variant = s.GetProperty("variant").ValueKind == JsonValueKind.Null ? null : s.GetProperty("variant").GetString();
            await Cells("stats-steps", $"{s.GetProperty("step_id").GetString()}/{variant}", ("step_id", s.GetProperty("step_id").GetString()!),
                ("sent", Count(s.GetProperty("sent"))), ("delivered", Count(s.GetProperty("delivered"))), ("failed", Count(s.GetProperty("failed"))),
                ("held_out", Count(s.GetProperty("held_out"))), ("opened", Count(s.GetProperty("opened"))), ("clicked", Count(s.GetProperty("clicked"))),
                ("converted", Count(s.GetProperty("converted"))), ("revenue", Fen(s.GetProperty("revenue"))), ("unsubscribed", Count(s.GetProperty("unsubscribed"))));
        }
        foreach (var l in stats.GetProperty("lifts").EnumerateArray())
        {
            var (low, high) = (F2(l.GetProperty("low_points").GetDouble()), F2(l.GetProperty("high_points").GetDouble()));
            var relative = l.GetProperty("relative_percent");
            await Cells("stats-lift", l.GetProperty("variant").GetString()!,
                ("difference", F2(l.GetProperty("difference_points").GetDouble()) + (english ? " pts" : " 个百分点")),
                ("interval", english ? $"{low} to {high} pts" : $"{low} 至 {high} 个百分点"),
                ("relative", relative.ValueKind == JsonValueKind.Null ? "—" : relative.GetDouble().ToString("F1", CultureInfo.InvariantCulture) + "%"),
                ("significant", l.GetProperty("significant").GetBoolean() ? yes : no));
        }
        return stats;
    }

    /// <summary>The demo's past broadcast: its results are there (sent, a holdout, each text's lift) and equal the API's.</summary>
    private static async Task AssertPastBroadcastAsync(IPage page, HttpClient api, bool english)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "双11 预热短信", Exact = true }).ClickAsync();
        var stats = await AssertStatsEqualApiAsync(page, api, "broadcast", "d11_warmup_sms", english);
        Assert.Contains(stats.GetProperty("variants").EnumerateArray(), v => v.GetProperty("holdout").GetBoolean() && v.GetProperty("entered").GetInt64() > 0);
        Assert.Contains(stats.GetProperty("steps").EnumerateArray(), s => s.GetProperty("delivered").GetInt64() > 0);
        // Run as the experiment d11_sms_copy: texts a and b, each with its lift over the holdout.
        Assert.Equal(["a", "b"], stats.GetProperty("variants").EnumerateArray().Where(v => !v.GetProperty("holdout").GetBoolean())
            .Select(v => v.GetProperty("variant").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b"], stats.GetProperty("lifts").EnumerateArray().Select(l => l.GetProperty("variant").GetString()).Order(StringComparer.Ordinal));
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("data-status", "done");
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
        await Assertions.Expect(page.Locator("#journey-status")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("data-status", second);
        Assert.Equal(second, await JourneyStatusAsync(api, "first_order_care"));

        // A broadcast's results: the planned one has none yet; the one the demo sent in its past has them, equal to the API's.
        await page.GetByRole(AriaRole.Link, new() { Name = "双11 预热", Exact = true }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "broadcast", "d11_warmup");
        await Assertions.Expect(page.Locator("#journey-status")).ToHaveCountAsync(0);
        await AssertPastBroadcastAsync(page, api, english: false);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "journeys-zh.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Journeys & broadcasts");
        await AssertJourneysEqualApiAsync(page, api, s => s);
        await page.GetByRole(AriaRole.Link, new() { Name = "新客首单关怀" }).ClickAsync();
        await AssertStatsEqualApiAsync(page, api, "journey", "first_order_care");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = second == "active" ? "Pause journey" : "Activate journey" })).ToHaveCountAsync(1);
        await AssertPastBroadcastAsync(page, api, english: true);
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
        await AssertPastBroadcastAsync(page, api, english: false);
        await Assertions.Expect(page.Locator("#journey-status")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "启用旅程" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "暂停旅程" })).ToHaveCountAsync(0);
        using var refused = await api.PostAsync("/v1/journeys/first_order_care/status", new StringContent("""{"status":"active"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
