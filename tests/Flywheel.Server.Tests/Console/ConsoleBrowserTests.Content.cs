using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 15's Content & keywords page: content CTR vs CVR with quadrants, the keyword table and the trial programme, against the API.</summary>
public sealed partial class ConsoleBrowserTests
{
    private static string ContentCount(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string ContentPercent(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? (value.GetDouble() * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "—";

    [Fact]
    public async Task Content_AsAnalyst_ItemsKeywordsAndTrialEqualTheApi_InBothLanguages()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "内容与关键词" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("内容与关键词");
        await Assertions.Expect(page.Locator("#content-table")).ToBeVisibleAsync();
        var note = page.Locator("#content-note");
        var (from, to) = (await note.GetAttributeAsync("data-from"), await note.GetAttributeAsync("data-to"));

        var report = await GetJsonAsync(api, $"/v1/content/report?from={from}&to={to}");
        var items = report.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        await Assertions.Expect(page.Locator("#content-table tbody tr")).ToHaveCountAsync(items.Count);
        foreach (var item in items)
        {
            var row = page.Locator($"#content-table tbody tr[data-key=\"{item.GetProperty("content_id").GetString()}\"]");
            await Assertions.Expect(row.Locator("[data-column=clicks]")).ToHaveTextAsync(ContentCount(item.GetProperty("clicks").GetInt64()));
            await Assertions.Expect(row.Locator("[data-column=orders]")).ToHaveTextAsync(ContentCount(item.GetProperty("orders").GetInt64()));
            await Assertions.Expect(row.Locator("[data-column=ctr]")).ToHaveTextAsync(ContentPercent(item.GetProperty("ctr")));
            await Assertions.Expect(row.Locator("[data-column=gmv]")).ToHaveTextAsync(Fen(item.GetProperty("gmv").GetInt64()));
            await Assertions.Expect(row.Locator("[data-column=quadrant_label]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("quadrant-" + item.GetProperty("quadrant").GetString()));
        }
        foreach (var quadrant in new[] { "sells", "watched_not_selling", "sells_quietly", "neither" })
            await Assertions.Expect(page.Locator($"#content-quadrants [data-quadrant={quadrant}]")).ToHaveAttributeAsync("data-count",
                items.Count(i => i.GetProperty("quadrant").GetString() == quadrant).ToString(CultureInfo.InvariantCulture));
        Assert.Contains(items, i => i.GetProperty("quadrant").GetString() == "watched_not_selling");

        var keywords = (await GetJsonAsync(api, $"/v1/keywords?from={from}&to={to}")).GetProperty("keywords").EnumerateArray().ToList();
        await Assertions.Expect(page.Locator("#keywords-table tbody tr")).ToHaveCountAsync(keywords.Count);
        var zero = keywords.First(k => k.GetProperty("kind").GetString() == "onsite" && k.GetProperty("zero_result_searches").GetInt64() > 0);
        var zeroRow = page.Locator($"#keywords-table tbody tr[data-key=\"onsite::{zero.GetProperty("keyword").GetString()}\"]");
        await Assertions.Expect(zeroRow.Locator("[data-column=zero_result_searches]")).ToHaveTextAsync(ContentCount(zero.GetProperty("zero_result_searches").GetInt64()));
        await Assertions.Expect(zeroRow.Locator("[data-column=zero_result_searches]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("zero-results"));
        var paid = keywords.First(k => k.GetProperty("kind").GetString() == "paid");
        var paidRow = page.Locator($"#keywords-table tbody tr[data-key=\"paid:{paid.GetProperty("channel").GetString()}:{paid.GetProperty("keyword").GetString()}\"]");
        await Assertions.Expect(paidRow.Locator("[data-column=cost]")).ToHaveTextAsync(Fen(paid.GetProperty("cost").GetInt64()));
        await Assertions.Expect(paidRow.Locator("[data-column=cpc]")).ToHaveTextAsync(Fen(paid.GetProperty("cpc").GetInt64()));

        var trial = (await GetJsonAsync(api, "/v1/trials/report"))[0];
        var card = page.Locator($"#trials article[data-trial=\"{trial.GetProperty("trial_id").GetString()}\"]");
        foreach (var step in new[] { "applications", "selected", "shipped", "posted" })
            await Assertions.Expect(card.Locator($"li[data-step={step}]")).ToHaveAttributeAsync("data-count", trial.GetProperty(step).GetInt32().ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(card.Locator("[data-figure=cost] dd")).ToHaveTextAsync(Fen(trial.GetProperty("cost").GetInt64()));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "content-zh.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Content & keywords");
        await Assertions.Expect(page.Locator("#content-quadrants [data-quadrant=watched_not_selling] strong")).ToHaveTextAsync("Watched but does not sell");
        await Assertions.Expect(page.Locator("#keywords-table tbody tr")).ToHaveCountAsync(keywords.Count);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "content-en.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "切换到中文" }).ClickAsync();
    }
}
