using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Goals page: each goal's progress, figures, verdict and chart series equal GET /v1/goals?series=true.</summary>
public sealed partial class ConsoleBrowserTests
{
    private static readonly Dictionary<string, (string Zh, string En)> Verdicts = new(StringComparer.Ordinal)
    {
        ["on_track"] = ("按计划推进", "On track"),
        ["at_risk"] = ("有风险", "At risk"),
        ["off_track"] = ("偏离目标", "Off track"),
        ["unknown"] = ("无法判断", "Unknown"),
    };

    [Fact]
    public async Task Goals_ProgressFiguresVerdictsAndSeriesEqualTheApis_InBothLanguages()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "目标" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("目标");
        var goals = (await GetJsonAsync(api, "/v1/goals?series=true")).GetProperty("goals").EnumerateArray().ToList();
        Assert.NotEmpty(goals); // the demo's month and quarter GMV goals
        await Assertions.Expect(page.Locator("article.goal")).ToHaveCountAsync(goals.Count);
        await AssertGoalsEqualApiAsync(page, goals, "zh");
        await Assertions.Expect(page.Locator("#goals-table tbody tr")).ToHaveCountAsync(goals.Count);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "goals-zh.png"), FullPage = true });

        // Each progress bar is a labelled progressbar.
        foreach (var goal in goals)
        {
            var name = goal.GetProperty("name").GetString()!;
            await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "完成进度 " + name })).ToHaveCountAsync(1);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Goals");
        await AssertGoalsEqualApiAsync(page, goals, "en");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "goals-en.png"), FullPage = true });
    }

    private static async Task AssertGoalsEqualApiAsync(IPage page, List<JsonElement> goals, string lang)
    {
        foreach (var goal in goals)
        {
            var id = goal.GetProperty("id").GetString()!;
            var card = page.Locator($"article.goal[data-goal='{id}']");
            await Assertions.Expect(card.Locator("h2")).ToHaveTextAsync(goal.GetProperty("name").GetString()!);
            var verdict = goal.GetProperty("status").GetString()!;
            await Assertions.Expect(card.Locator(".verdict")).ToHaveTextAsync(lang == "zh" ? Verdicts[verdict].Zh : Verdicts[verdict].En);
            Assert.Equal(verdict, await card.Locator(".verdict").GetAttributeAsync("data-verdict"));
            Assert.Equal("gmv", goal.GetProperty("metric").GetString()); // the demo's goals are GMV: money figures
            foreach (var figure in new[] { "current", "target", "forecast", "baseline" })
                Assert.Equal(Money(goal.GetProperty(figure)), await page.Locator($"#goal-{id}-{figure}").TextContentAsync());

            var pct = goal.GetProperty("progress_pct");
            Assert.Equal(pct.ValueKind == JsonValueKind.Null ? "—" : pct.GetDecimal().ToString("F2", CultureInfo.InvariantCulture) + "%",
                await page.Locator($"#goal-{id}-progress-text").TextContentAsync());
            if (pct.ValueKind == JsonValueKind.Number)
                Assert.Equal(Math.Clamp(pct.GetDouble(), 0, 100), await page.Locator($"#goal-{id}-progress").EvaluateAsync<double>("e => e.value"), 6);

            // The chart is drawn (ECharts on a canvas, named for assistive technology) from the API's series, which it holds as JSON.
            var chart = card.Locator("div.chart[data-chart=goal-forecast]");
            Assert.Equal(id, await chart.GetAttributeAsync("data-goal"));
            await Assertions.Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
            Assert.Equal("img", await chart.GetAttributeAsync("role"));
            Assert.Contains(goal.GetProperty("name").GetString()!, await chart.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
            using var shown = JsonDocument.Parse((await chart.GetAttributeAsync("data-series"))!);
            var series = goal.GetProperty("series");
            foreach (var line in new[] { "actual", "forecast" })
            {
                static List<(string, decimal?)> Points(JsonElement e) =>
                    [.. e.EnumerateArray().Select(p => (p.GetProperty("day").GetString()!, p.GetProperty("value").ValueKind == JsonValueKind.Null ? (decimal?)null : p.GetProperty("value").GetDecimal()))];
                var expected = Points(series.GetProperty(line));
                Assert.Equal(expected, Points(shown.RootElement.GetProperty(line)));
                Assert.NotEmpty(expected);
            }
            Assert.Equal(goal.GetProperty("current").GetDecimal(), series.GetProperty("actual").EnumerateArray().Last().GetProperty("value").GetDecimal());
            Assert.Equal(goal.GetProperty("forecast").GetDecimal(), series.GetProperty("forecast").EnumerateArray().Last().GetProperty("value").GetDecimal());
        }
    }

    private static string Money(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? "—" : (value.GetDecimal() < 0 ? "-" : "") + "¥" + Math.Abs(value.GetDecimal()).ToString("N2", CultureInfo.InvariantCulture);
}
