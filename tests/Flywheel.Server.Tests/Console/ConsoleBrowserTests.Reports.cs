using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Channels and Funnel pages against the API they read, in both languages, with the role-gated save.</summary>
public sealed partial class ConsoleBrowserTests
{
    // channels.js COLUMNS after the channel name, with how each is shown.
    private static readonly (string Name, string Kind)[] ChannelColumns =
    [
        ("uv", "count"), ("sessions", "count"), ("clicks", "count"), ("orders", "count"), ("buyers", "count"), ("cvr", "percent"),
        ("gmv", "money"), ("aov", "money"), ("spend", "money"), ("cpc", "money"), ("roi", "ratio"), ("cac", "money"),
    ];

    private static readonly string[] FunnelSteps = ["product_view", "add_to_cart", "begin_checkout", "order_paid"];

    [Fact]
    public async Task Channels_TableEqualsTheApisByChannelRows_AndSortingByAHeaderReordersIt()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "渠道", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("渠道分析");
        var rows = await AssertChannelsEqualApiAsync(page, api);
        Assert.True(rows.Count > 1, "the demo store has several channels");

        // The trend: the largest channels by GMV, each line the API's GMV by day for that channel.
        var trend = page.Locator("#channels-trend");
        await Assertions.Expect(trend.Locator("canvas")).ToHaveCountAsync(1);
        var (from, to) = await RangeAsync(page);
        var top = rows.Where(r => r.GetProperty("key").GetString() is { Length: > 0 })
            .OrderByDescending(r => r.GetProperty("gmv").ValueKind == JsonValueKind.Number ? r.GetProperty("gmv").GetDouble() : 0).Take(6).ToList();
        using var drawn = JsonDocument.Parse((await trend.GetAttributeAsync("data-points"))!);
        Assert.Equal(top.Select(r => r.GetProperty("key").GetString()), drawn.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var firstChannel = top[0].GetProperty("key").GetString()!;
        var days = (await GetJsonAsync(api, $"/v1/metrics?from={from}&to={to}&by=day&channel={Uri.EscapeDataString(firstChannel)}")).GetProperty("rows").EnumerateArray()
            .Select(d => d.GetProperty("gmv") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : (double?)null).ToList();
        Assert.Equal(days, drawn.RootElement[0].GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToList());

        // By default GMV, largest first; a header button sorts by its column (largest first), a second press reverses.
        Assert.Equal(Order(rows, "gmv", descending: true), await ShownOrderAsync(page));
        await Assertions.Expect(page.Locator("th[data-column=gmv]")).ToHaveAttributeAsync("aria-sort", "descending");
        await page.GetByRole(AriaRole.Button, new() { Name = "访客数 UV" }).ClickAsync();
        await Assertions.Expect(page.Locator("th[data-column=uv]")).ToHaveAttributeAsync("aria-sort", "descending");
        await Assertions.Expect(page.Locator("th[data-column=gmv]")).ToHaveAttributeAsync("aria-sort", "none");
        Assert.Equal(Order(rows, "uv", descending: true), await ShownOrderAsync(page));
        // From the keyboard: the re-drawn header keeps the focus, so Enter reverses the same column.
        await Assertions.Expect(page.Locator("th[data-column=uv] button")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("th[data-column=uv]")).ToHaveAttributeAsync("aria-sort", "ascending");
        var ascending = Order(rows, "uv", descending: false);
        Assert.Equal(ascending, await ShownOrderAsync(page));
        Assert.NotEqual(Order(rows, "gmv", descending: true), ascending);
        await page.GetByRole(AriaRole.Button, new() { Name = "渠道" }).ClickAsync();
        Assert.Equal(rows.Select(r => r.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList(), await ShownOrderAsync(page));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "channels-zh.png"), FullPage = true });

        // Another preset re-reads the API for its range.
        var before = await page.Locator("#range-note").GetAttributeAsync("data-from");
        await page.Locator("#range-preset").SelectOptionAsync("90");
        var expectedFrom = await ExpectedFromAsync(api, "90");
        if (expectedFrom != before) await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-from", expectedFrom);
        await AssertChannelsEqualApiAsync(page, api);

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Channels");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Conversion rate" })).ToHaveCountAsync(1);
        await AssertChannelsEqualApiAsync(page, api);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "channels-en.png"), FullPage = true });
    }

    [Fact]
    public async Task Channels_Table_ExportsAsCsvAndExcel_WithTheApisFigures_InTheShownOrder()
    {
        var (page, key) = await SignInAsync(Roles.Viewer);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "渠道", Exact = true }).ClickAsync();
        var rows = await AssertChannelsEqualApiAsync(page, api);
        var order = await ShownOrderAsync(page);
        var byKey = rows.ToDictionary(r => r.GetProperty("key").GetString()!);
        var labels = await page.Locator("#channels-table thead th").AllTextContentsAsync();

        // CSV: built in the page, UTF-8 with a BOM for Excel, the header labels as shown, raw figures (yuan, fractions).
        var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "导出 CSV" }).ClickAsync());
        Assert.EndsWith(".csv", csvDownload.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync((await csvDownload.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", labels.Select(l => l.Trim(' ', '▲', '▼'))), lines[0]);
        Assert.Equal(order, lines.Skip(1).Select(l => l.Split(',')[0]).ToList());
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            var expected = byKey[cells[0]];
            for (var i = 0; i < ChannelColumns.Length; i++)
            {
                var value = expected.GetProperty(ChannelColumns[i].Name);
                if (value.ValueKind == JsonValueKind.Null) Assert.Equal("", cells[i + 1]);
                else if (ChannelColumns[i].Kind == "money") Assert.Equal(value.GetDecimal().ToString("F2", CultureInfo.InvariantCulture), cells[i + 1]);
                else Assert.Equal(value.GetDecimal(), decimal.Parse(cells[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }

        // Excel: the same table written by the server (POST /v1/exports/xlsx, MiniExcel), read back with MiniExcel.
        var xlsxDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "导出 Excel" }).ClickAsync());
        Assert.EndsWith(".xlsx", xlsxDownload.SuggestedFilename, StringComparison.Ordinal);
        var sheet = MiniExcelLibs.MiniExcel.Query((await xlsxDownload.PathAsync())!, useHeaderRow: true, excelType: MiniExcelLibs.ExcelType.XLSX)
            .Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(order, sheet.Select(r => Convert.ToString(r[labels[0].Trim(' ', '▲', '▼')], CultureInfo.InvariantCulture)!).ToList());
        foreach (var line in sheet)
        {
            var expected = byKey[(string)line[labels[0].Trim(' ', '▲', '▼')]!];
            for (var i = 0; i < ChannelColumns.Length; i++)
            {
                var value = expected.GetProperty(ChannelColumns[i].Name);
                var cell = line[labels[i + 1].Trim(' ', '▲', '▼')];
                if (value.ValueKind == JsonValueKind.Null) Assert.Null(cell);
                else if (ChannelColumns[i].Kind == "money") Assert.Equal(value.GetDecimal(), Convert.ToDecimal(cell, CultureInfo.InvariantCulture));
                // Excel keeps 15 significant digits: a rate's seventeenth may differ.
                else Assert.Equal(value.GetDouble(), Convert.ToDouble(cell, CultureInfo.InvariantCulture), 1e-12);
            }
        }
    }

    [Fact]
    public async Task Funnel_BuiltInThePage_EqualsTheApisFunnel_AndAnAnalystIsNotOfferedTheSave()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await BuildFunnelAsync(page);
        await AssertFunnelEqualsApiAsync(page, api);
        await Assertions.Expect(page.Locator("#funnel-save")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "保存受众" })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "funnel-zh.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Funnel");
        await Assertions.Expect(page.GetByLabel("Step 1", new() { Exact = true })).ToHaveValueAsync("product_view");
        await AssertFunnelEqualsApiAsync(page, api);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "funnel-en.png"), FullPage = true });

        // Not offering it is not the guard: the API refuses the analyst's save as well.
        using var refused = await api.PostAsync("/v1/funnels", FunnelBody(await RangeAsync(page), """, "save_audience": {"name": "analyst-try", "dropped_after": 2}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Funnel_AsViewer_OffersNoSave()
    {
        var (page, key) = await SignInAsync(Roles.Viewer);
        using var api = server.ApiClient(key);
        await BuildFunnelAsync(page);
        await AssertFunnelEqualsApiAsync(page, api);
        await Assertions.Expect(page.Locator("#funnel-save")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Funnel_AsMarketer_SavesTheDropOffAsAnAudience_ThatTheApiLists()
    {
        var (page, key) = await SignInAsync(Roles.Marketer);
        using var api = server.ApiClient(key);
        await BuildFunnelAsync(page);
        var funnel = await AssertFunnelEqualsApiAsync(page, api);

        await page.GetByLabel("流失位置").SelectOptionAsync("2"); // added to cart, did not begin checkout
        await page.GetByLabel("受众名称").FillAsync("console-cart-dropped");
        await page.GetByLabel("说明（可选）").FillAsync("加购未结算");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存受众" }).ClickAsync();
        await Assertions.Expect(page.Locator("#save-status")).ToContainTextAsync("已保存受众「console-cart-dropped」");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "funnel-saved-zh.png"), FullPage = true });

        using var response = await api.GetAsync("/v1/audiences");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audience = (await Json.ReadAsync(response)).GetProperty("audiences").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "console-cart-dropped");
        Assert.Equal("加购未结算", audience.GetProperty("title").GetString());
        // Everyone who dropped after step 2 is in it, or left out as an anonymous visitor no message can reach.
        var dropped = funnel[1].GetProperty("drop_off").GetInt64();
        Assert.Equal(dropped, audience.GetProperty("members").GetInt64() + audience.GetProperty("anonymous").GetInt64());
        await Assertions.Expect(page.Locator("#save-status"))
            .ToContainTextAsync(audience.GetProperty("members").GetInt64().ToString("N0", CultureInfo.InvariantCulture) + " 位客户");
    }

    [Fact]
    public async Task Funnel_StepFilterAndChannelBreakdown_EqualTheApis()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        var catalog = await GetJsonAsync(api, "/v1/events/catalog");
        // The picker offers the index's event types, commonest first.
        await page.GetByRole(AriaRole.Link, new() { Name = "漏斗" }).ClickAsync();
        var types = catalog.GetProperty("types").EnumerateArray().Select(t => t.GetProperty("type").GetString()!).ToArray();
        var options = page.GetByLabel("第 1 步", new() { Exact = true }).Locator("option");
        await Assertions.Expect(options).ToHaveCountAsync(types.Length);
        Assert.Equal(types, await options.EvaluateAllAsync<string[]>("o => o.map(x => x.value)"));

        await BuildFunnelAsync(page);
        var channel = catalog.GetProperty("fields").GetProperty("channel").GetProperty("values")[0].GetString()!;
        await page.GetByLabel("第 1 步筛选字段").SelectOptionAsync("channel");
        await page.GetByLabel("第 1 步筛选值").FillAsync(channel);
        await page.GetByLabel("拆分").SelectOptionAsync("first_touch_channel");
        await page.GetByRole(AriaRole.Button, new() { Name = "生成漏斗" }).ClickAsync();
        await Assertions.Expect(page.Locator("#funnel-breakdown")).ToBeVisibleAsync();

        var (from, to) = await RangeAsync(page);
        string[] steps = [$"product_view[channel={channel}]", .. FunnelSteps[1..]];
        var body = JsonSerializer.Serialize(new { steps, window = "7d", from, to, by = "first_touch_channel" });
        using var response = await api.PostAsync("/v1/funnels", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = (await Json.ReadAsync(response)).GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(steps, expected.Select(s => s.GetProperty("step").GetString()));
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(Count(expected[i].GetProperty("customers")),
                await page.Locator($"#funnel-table tbody tr[data-key='{i + 1}'] td[data-column=customers]").TextContentAsync());
        await Assertions.Expect(page.Locator("#funnel-table tbody tr[data-key='1'] th")).ToContainTextAsync($"渠道 = {channel}");
        var groups = expected[0].GetProperty("breakdown").EnumerateArray().ToList();
        Assert.NotEmpty(groups);
        for (var g = 0; g < groups.Count; g++)
        {
            var value = groups[g].GetProperty("value").GetString() is { Length: > 0 } v ? v : "（无渠道）";
            var row = page.Locator($"#funnel-breakdown tbody tr[data-key='{value}']");
            for (var i = 0; i < expected.Count; i++)
                Assert.Equal(Count(expected[i].GetProperty("breakdown")[g].GetProperty("customers")),
                    await row.Locator($"td[data-column=step{i + 1}]").TextContentAsync());
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "funnel-breakdown-zh.png"), FullPage = true });
    }

    /// <summary>Opens the funnel page, removes the default first step (page_view) and builds product view → … → order paid.</summary>
    private static async Task BuildFunnelAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "漏斗" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("转化漏斗");
        await page.GetByRole(AriaRole.Button, new() { Name = "删除第 1 步" }).ClickAsync();
        for (var i = 0; i < FunnelSteps.Length; i++)
            await Assertions.Expect(page.GetByLabel($"第 {i + 1} 步", new() { Exact = true })).ToHaveValueAsync(FunnelSteps[i]);
        await page.GetByRole(AriaRole.Button, new() { Name = "生成漏斗" }).ClickAsync();
        await Assertions.Expect(page.Locator("#funnel-table tbody tr")).ToHaveCountAsync(FunnelSteps.Length);
    }

    private static async Task<(string From, string To)> RangeAsync(IPage page)
    {
        var note = page.Locator("#range-note");
        return ((await note.GetAttributeAsync("data-from"))!, (await note.GetAttributeAsync("data-to"))!);
    }

    private static StringContent FunnelBody((string From, string To) range, string extra = "") =>
        new($$"""{"steps": {{JsonSerializer.Serialize(FunnelSteps)}}, "window": "7d", "from": "{{range.From}}", "to": "{{range.To}}"{{extra}}}""",
            Encoding.UTF8, "application/json");

    /// <summary>Each step's count, conversion from the previous step and drop-off equal POST /v1/funnels for the same steps and range.</summary>
    private static async Task<List<JsonElement>> AssertFunnelEqualsApiAsync(IPage page, HttpClient api)
    {
        using var response = await api.PostAsync("/v1/funnels", FunnelBody(await RangeAsync(page)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = (await Json.ReadAsync(response)).GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(FunnelSteps, steps.Select(s => s.GetProperty("step").GetString()));
        for (var i = 0; i < steps.Count; i++)
        {
            var row = page.Locator($"#funnel-table tbody tr[data-key='{i + 1}']");
            Assert.Equal(Count(steps[i].GetProperty("customers")), await row.Locator("td[data-column=customers]").TextContentAsync());
            Assert.Equal(i == 0 ? "—" : Percent(steps[i].GetProperty("conversion_from_previous")),
                await row.Locator("td[data-column=conversion_from_previous]").TextContentAsync());
            Assert.Equal(Count(steps[i].GetProperty("drop_off")), await row.Locator("td[data-column=drop_off]").TextContentAsync());
        }
        Assert.True(steps[0].GetProperty("customers").GetInt64() > 0, "the demo store has product views in the range");
        return steps;
    }

    /// <summary>Every API row is a table row with each cell formatted as the console promises; returns the API's rows.</summary>
    private static async Task<List<JsonElement>> AssertChannelsEqualApiAsync(IPage page, HttpClient api)
    {
        var (from, to) = await RangeAsync(page);
        var report = await GetJsonAsync(api, $"/v1/metrics?from={from}&to={to}&by=channel");
        var currency = report.GetProperty("currency").GetString()!;
        Assert.Equal(currency, await page.Locator("#range-note").GetAttributeAsync("data-currency"));
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        await Assertions.Expect(page.Locator("#channels-table tbody tr")).ToHaveCountAsync(rows.Count);
        foreach (var row in rows)
        {
            var tr = page.Locator($"#channels-table tbody tr[data-key='{row.GetProperty("key").GetString()}']");
            foreach (var (name, kind) in ChannelColumns)
                Assert.Equal(Cell(kind, row.GetProperty(name), currency), await tr.Locator($"td[data-column={name}]").TextContentAsync());
        }
        return rows;
    }

    private static async Task<List<string>> ShownOrderAsync(IPage page) =>
        [.. await page.Locator("#channels-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)")];

    /// <summary>channels.js sortRows: by the column, a missing figure last whatever the direction, ties by channel name.</summary>
    private static List<string> Order(List<JsonElement> rows, string column, bool descending)
    {
        var present = rows.Where(r => r.GetProperty(column).ValueKind == JsonValueKind.Number);
        var ordered = descending
            ? present.OrderByDescending(r => r.GetProperty(column).GetDouble())
            : present.OrderBy(r => r.GetProperty(column).GetDouble());
        return [.. ordered.ThenBy(r => r.GetProperty("key").GetString(), StringComparer.Ordinal)
            .Concat(rows.Where(r => r.GetProperty(column).ValueKind != JsonValueKind.Number).OrderBy(r => r.GetProperty("key").GetString(), StringComparer.Ordinal))
            .Select(r => r.GetProperty("key").GetString()!)];
    }

    private static string Cell(string kind, JsonElement value, string currency) => kind switch
    {
        "money" => Expected("gmv", value, currency),
        "percent" => Expected("cvr", value, currency),
        "ratio" => Expected("roi", value, currency),
        _ => Expected("orders", value, currency),
    };

    private static string Count(JsonElement value) => Expected("orders", value, "CNY");

    private static string Percent(JsonElement value) => Expected("cvr", value, "CNY");
}
