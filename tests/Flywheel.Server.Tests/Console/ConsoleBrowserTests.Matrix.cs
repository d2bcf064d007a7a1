using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// Issue 15's channel matrix page: every stage and channel row equals GET /v1/grow/matrix for the range the page states, and the
/// next-yuan table equals GET /v1/grow/next-yuan, for the current spend and for a budget typed into the page, in both languages.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    private static readonly (string Column, string Field, string Kind)[] MatrixColumns =
    [
        ("impressions", "impressions", "count"), ("ctr", "ctr", "percent"), ("uv", "uv", "count"), ("orders", "orders", "count"),
        ("cvr", "cvr", "percent"), ("gmv", "gmv_fen", "fen"), ("spend", "spend_fen", "fen"), ("roi", "roi", "ratio"), ("cac", "cac_fen", "fen"),
        ("new_customers", "new_customers", "count"), ("repurchase_orders", "repurchase_orders", "count"),
        ("budget_share", "budget_share", "percent"), ("gmv_share", "gmv_share", "percent"),
    ];

    private static readonly (string Column, string Field, string Kind)[] AdviceColumns =
    [
        ("current_spend", "current_spend_fen", "fen"), ("suggested_spend", "suggested_spend_fen", "fen"), ("marginal_roi", "marginal_roi", "ratio"),
        ("marginal_roi_low", "marginal_roi_low", "ratio"), ("marginal_roi_high", "marginal_roi_high", "ratio"), ("weeks_with_spend", "weeks_with_spend", "count"),
    ];

    private static readonly Dictionary<string, (string Zh, string En)> AdviceVerdicts = new(StringComparer.Ordinal)
    {
        ["add"] = ("加投", "Add"), ["hold"] = ("维持", "Hold"), ["cut"] = ("减投", "Cut"), ["cannot_tell"] = ("数据不足以判断", "The data cannot tell"),
    };

    [Fact]
    public async Task Matrix_StagesChannelsAndAdviceEqualTheApis_ForATypedBudget_InBothLanguages()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "渠道矩阵" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("渠道矩阵");
        await Assertions.Expect(page.Locator("#next-yuan-table")).ToHaveCountAsync(1);
        var note = page.Locator("#range-note");
        var from = await note.GetAttributeAsync("data-from");
        var to = await note.GetAttributeAsync("data-to");
        var matrix = await GetJsonAsync(api, $"/v1/grow/matrix?from={from}&to={to}");
        await AssertMatrixEqualsApiAsync(page, matrix);
        var advice = await GetJsonAsync(api, "/v1/grow/next-yuan");
        await AssertAdviceEqualsApiAsync(page, advice, "zh");
        Assert.Equal((advice.GetProperty("budget_fen").GetInt64() / 100m).ToString(CultureInfo.InvariantCulture),
            await page.Locator("#next-yuan-budget").InputValueAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "matrix-zh.png"), FullPage = true });

        // A budget typed in the page is the API's budget in fen.
        await page.GetByLabel("每周预算（元）").FillAsync("12345.67");
        await page.GetByRole(AriaRole.Button, new() { Name = "重新分配" }).ClickAsync();
        await Assertions.Expect(page.Locator("#next-yuan-summary")).ToHaveAttributeAsync("data-budget-fen", "1234567");
        await AssertAdviceEqualsApiAsync(page, await GetJsonAsync(api, "/v1/grow/next-yuan?budget=1234567"), "zh");

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Channel matrix");
        await Assertions.Expect(page.Locator("#next-yuan-summary")).ToHaveAttributeAsync("data-budget-fen", "1234567");
        await AssertMatrixEqualsApiAsync(page, matrix);
        await AssertAdviceEqualsApiAsync(page, await GetJsonAsync(api, "/v1/grow/next-yuan?budget=1234567"), "en");
        await Assertions.Expect(page.Locator("#matrix-table tr[data-key='stage:awareness'] th")).ToHaveTextAsync("Awareness");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "matrix-en.png"), FullPage = true });
    }

    private static async Task AssertMatrixEqualsApiAsync(IPage page, JsonElement matrix)
    {
        var expected = new List<(string Key, JsonElement Row)>();
        foreach (var stage in matrix.GetProperty("stages").EnumerateArray())
        {
            expected.Add(("stage:" + stage.GetProperty("stage").GetString(), stage));
            foreach (var channel in stage.GetProperty("channels").EnumerateArray()) expected.Add(("channel:" + channel.GetProperty("channel").GetString(), channel));
        }
        Assert.Equal(expected.Select(e => e.Key).Append("total"),
            await page.Locator("#matrix-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        foreach (var (rowKey, row) in expected)
        {
            var tr = page.Locator($"#matrix-table tbody tr[data-key='{rowKey}']");
            foreach (var (column, field, kind) in MatrixColumns)
                Assert.Equal(Shown(kind, row.GetProperty(field)), await tr.Locator($"td[data-column='{column}']").TextContentAsync());
        }
        var total = page.Locator("#matrix-table tbody tr[data-key='total']");
        Assert.Equal(Shown("fen", matrix.GetProperty("total").GetProperty("gmv_fen")), await total.Locator("td[data-column='gmv']").TextContentAsync());
        // The demo fills every stage (its email is the members' newsletter: loyalty).
        Assert.All(matrix.GetProperty("stages").EnumerateArray(), s => Assert.True(s.GetProperty("channels").GetArrayLength() > 0));
    }

    private static async Task AssertAdviceEqualsApiAsync(IPage page, JsonElement advice, string lang)
    {
        var channels = advice.GetProperty("channels").EnumerateArray().ToList();
        Assert.NotEmpty(channels);
        Assert.Equal(channels.Select(c => c.GetProperty("channel").GetString()!),
            await page.Locator("#next-yuan-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        foreach (var c in channels)
        {
            var tr = page.Locator($"#next-yuan-table tbody tr[data-key='{c.GetProperty("channel").GetString()}']");
            var verdict = AdviceVerdicts[c.GetProperty("verdict").GetString()!];
            Assert.Equal(lang == "zh" ? verdict.Zh : verdict.En, await tr.Locator("td[data-column='verdict']").TextContentAsync());
            Assert.Equal(c.GetProperty("reason").GetString(), await tr.Locator("td[data-column='reason']").TextContentAsync());
            foreach (var (column, field, kind) in AdviceColumns)
                Assert.Equal(Shown(kind, c.GetProperty(field)), await tr.Locator($"td[data-column='{column}']").TextContentAsync());
        }
    }

    /// <summary>As format.js shows a value: fen as ¥ yuan with two decimals, fractions as percentages, ratios with two decimals.</summary>
    private static string Shown(string kind, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return "—";
        return kind switch
        {
            "fen" => (value.GetInt64() < 0 ? "-" : "") + "¥" + (Math.Abs(value.GetInt64()) / 100m).ToString("N2", CultureInfo.InvariantCulture),
            "percent" => (value.GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture) + "%",
            "ratio" => value.GetDouble().ToString("F2", CultureInfo.InvariantCulture),
            _ => value.GetInt64().ToString("N0", CultureInfo.InvariantCulture),
        };
    }
}
