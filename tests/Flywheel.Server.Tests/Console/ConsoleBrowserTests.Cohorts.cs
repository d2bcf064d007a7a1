using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Cohorts page: the retention heat map equals POST /v1/cohorts for the question the page states, by week and month.</summary>
public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task Cohorts_HeatMapEqualsTheApisCohorts_ByMonthAndWeek_WithReadableShades()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "留存" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("留存分析");
        // A longer range than the default 30 days gives several monthly cohorts.
        await page.Locator("#range-preset").SelectOptionAsync("90");
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-from", await ExpectedFromAsync(api, "90"));
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-period", "month");
        var months = await AssertCohortsEqualApiAsync(page, api);
        Assert.True(months >= 3, $"90 days hold at least three monthly cohorts, not {months}");

        // The toggle: by week, from the mouse; the question and the table follow.
        await page.Locator("label[for=cohorts-period-week]").ClickAsync();
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-period", "week");
        await Assertions.Expect(page.Locator("#cohorts-table th[data-column=p1]")).ToHaveTextAsync("第 1 周");
        var weeks = await AssertCohortsEqualApiAsync(page, api);
        Assert.True(weeks > months, $"{weeks} weekly cohorts against {months} monthly");
        await Assertions.Expect(page.Locator("#cohorts-period-week")).ToBeFocusedAsync();
        await AssertHeatCellsReadableAsync(page);

        // Another definition: sign-up cohorts returning with any activity, 8 periods.
        await page.GetByLabel("进入条件", new() { Exact = true }).SelectOptionAsync("signup");
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-entry", "signup");
        await page.GetByLabel("留存行为", new() { Exact = true }).SelectOptionAsync("any");
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-return", "any");
        await page.GetByLabel("跟踪期数", new() { Exact = true }).SelectOptionAsync("8");
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-periods", "8");
        await Assertions.Expect(page.Locator("#cohorts-table thead th")).ToHaveCountAsync(2 + 8);
        await AssertCohortsEqualApiAsync(page, api);

        // Back to months from the keyboard alone: the radio group moves with the arrow keys.
        await page.Locator("#cohorts-period-week").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-period", "month");
        await AssertCohortsEqualApiAsync(page, api);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "cohorts-zh.png"), FullPage = true });

        var unlabelled = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('input, select, textarea')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).length
            """);
        Assert.Equal(0, unlabelled);

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Cohorts");
        await Assertions.Expect(page.Locator("#cohorts-table th[data-column=p1]")).ToHaveTextAsync("Month 1");
        await Assertions.Expect(page.GetByLabel("Entry", new() { Exact = true })).ToHaveValueAsync("signup");
        await AssertCohortsEqualApiAsync(page, api);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "cohorts-en.png"), FullPage = true });

        // The heat map's export holds the rates as fractions.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-table=cohorts-table] button[data-export=csv]").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), Encoding.UTF8);
        var lines = csv.Split("\r\n");
        Assert.StartsWith("Month of entry,Customers,Month 0,", lines[0], StringComparison.Ordinal);
        Assert.InRange(double.Parse(lines[1].Split(',')[2], CultureInfo.InvariantCulture), 0, 1);
    }

    /// <summary>Every row and cell equals POST /v1/cohorts for the question the page states; returns how many cohorts.</summary>
    private static async Task<int> AssertCohortsEqualApiAsync(IPage page, HttpClient api)
    {
        var note = page.Locator("#range-note");
        var question = new Dictionary<string, object?>
        {
            ["from"] = await note.GetAttributeAsync("data-from"),
            ["to"] = await note.GetAttributeAsync("data-to"),
            ["period"] = await note.GetAttributeAsync("data-period"),
            ["entry"] = await note.GetAttributeAsync("data-entry"),
            ["return"] = await note.GetAttributeAsync("data-return"),
            ["periods"] = int.Parse((await note.GetAttributeAsync("data-periods"))!, CultureInfo.InvariantCulture),
        };
        using var response = await api.PostAsync("/v1/cohorts", new StringContent(JsonSerializer.Serialize(question), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cohorts = (await Json.ReadAsync(response)).GetProperty("cohorts").EnumerateArray().ToList();
        var rows = page.Locator("#cohorts-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Max(1, cohorts.Count));
        var shown = await rows.EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.children].map(c => c.textContent))");
        for (var i = 0; i < cohorts.Count; i++)
        {
            var c = cohorts[i];
            var expected = new List<string> { c.GetProperty("cohort").GetString()!, c.GetProperty("size").GetInt64().ToString("N0", CultureInfo.InvariantCulture) };
            foreach (var p in c.GetProperty("periods").EnumerateArray())
            {
                var rate = p.GetProperty("rate");
                expected.Add(rate.ValueKind == JsonValueKind.Null ? "—"
                    : (rate.GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" + (p.GetProperty("partial").GetBoolean() ? " *" : ""));
            }
            Assert.Equal(expected, shown[i]);
        }
        return cohorts.Count;
    }

    /// <summary>Each shaded cell's text meets WCAG AA (4.5:1) against its own background, as the browser computes the colours.</summary>
    private static async Task AssertHeatCellsReadableAsync(IPage page)
    {
        var worst = await page.EvaluateAsync<double>("""
            () => {
              const rgb = (text) => text.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
              const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
              const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
              const cells = [...document.querySelectorAll('#cohorts-table td.heat, .heat-legend li')];
              return Math.min(...cells.map((c) => { const s = getComputedStyle(c); return ratio(rgb(s.color), rgb(s.backgroundColor)); }));
            }
            """);
        Assert.True(worst >= 4.5, $"the lowest heat-map contrast is {worst:0.00}:1");
        // Both ends of the scale are in use: the entry period (100% for first-purchase cohorts, darkest) and the light repurchase periods.
        Assert.True(await page.Locator("#cohorts-table td.heat-10, #cohorts-table td.heat-9").CountAsync() > 0);
        Assert.True(await page.Locator("#cohorts-table td.heat-1, #cohorts-table td.heat-2, #cohorts-table td.heat-3, #cohorts-table td.heat-0").CountAsync() > 0);
    }
}
