using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// Issue 15's Creators page: the ROI totals, the tier table and each creator's GMV equal GET /v1/creators/report, and the month's
/// payout lines and total equal GET /v1/creators/payouts, in both languages.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task Creators_RoiByTierAndCreator_AndThePayout_EqualTheApis_InBothLanguages()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "达人合作" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("达人合作");
        await Assertions.Expect(page.Locator("#creators-table")).ToHaveCountAsync(1);
        var report = await GetJsonAsync(api, "/v1/creators/report?model=last_click");
        var month = report.GetProperty("to").GetString()![..7];
        var payouts = await GetJsonAsync(api, $"/v1/creators/payouts?month={month}&model=last_click");
        Assert.True(report.GetProperty("total").GetProperty("gmv").GetInt64() > 0, "the demo's creators bring GMV");
        await AssertCreatorsEqualApiAsync(page, report, payouts, "zh");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "creators-zh.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Creators");
        await AssertCreatorsEqualApiAsync(page, report, payouts, "en");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "creators-en.png"), FullPage = true });

        // Another model re-asks the API with it.
        await page.Locator("#creators-model").SelectOptionAsync("linear");
        await Assertions.Expect(page.Locator("#creators-note")).ToHaveAttributeAsync("data-model", "linear");
        var linear = await GetJsonAsync(api, "/v1/creators/report?model=linear");
        await Assertions.Expect(page.Locator("#creators-total-gmv")).ToHaveTextAsync(CreatorFen(linear.GetProperty("total").GetProperty("gmv").GetInt64()));
    }

    private static async Task AssertCreatorsEqualApiAsync(IPage page, JsonElement report, JsonElement payouts, string lang)
    {
        var total = report.GetProperty("total");
        await Assertions.Expect(page.Locator("#creators-total-gmv")).ToHaveTextAsync(CreatorFen(total.GetProperty("gmv").GetInt64()));
        await Assertions.Expect(page.Locator("#creators-total-cost")).ToHaveTextAsync(CreatorFen(total.GetProperty("cost").GetInt64()));
        Assert.Equal(report.GetProperty("from").GetString(), await page.Locator("#creators-note").GetAttributeAsync("data-from"));
        Assert.Equal(report.GetProperty("to").GetString(), await page.Locator("#creators-note").GetAttributeAsync("data-to"));

        var tiers = report.GetProperty("tiers").EnumerateArray().ToList();
        await Assertions.Expect(page.Locator("#creators-tiers tbody tr")).ToHaveCountAsync(5);
        foreach (var tier in tiers)
        {
            var row = page.Locator($"#creators-tiers tbody tr[data-key='{tier.GetProperty("tier").GetString()}']");
            var m = tier.GetProperty("metrics");
            Assert.Equal(CreatorFen(m.GetProperty("gmv").GetInt64()), await row.Locator("td[data-column=gmv]").TextContentAsync());
            Assert.Equal(CreatorFen(m.GetProperty("cost").GetInt64()), await row.Locator("td[data-column=cost]").TextContentAsync());
            Assert.Equal(tier.GetProperty("creators").GetInt32().ToString("N0", CultureInfo.InvariantCulture), await row.Locator("td[data-column=creators]").TextContentAsync());
        }
        Assert.Equal(lang == "zh" ? "头部" : "Head", await page.Locator("#creators-tiers tbody tr[data-key=head] th").TextContentAsync());

        var creators = report.GetProperty("creators").EnumerateArray().ToList();
        await Assertions.Expect(page.Locator("#creators-table tbody tr")).ToHaveCountAsync(creators.Count);
        foreach (var creator in creators)
        {
            var row = page.Locator($"#creators-table tbody tr[data-key='{creator.GetProperty("creator_id").GetString()}']");
            Assert.Equal(CreatorFen(creator.GetProperty("metrics").GetProperty("gmv").GetInt64()), await row.Locator("td[data-column=gmv]").TextContentAsync());
        }

        var lines = payouts.GetProperty("lines").EnumerateArray().ToList();
        Assert.NotEmpty(lines);
        await Assertions.Expect(page.Locator("#payouts-table tbody tr")).ToHaveCountAsync(lines.Count);
        foreach (var line in lines)
        {
            var row = page.Locator($"#payouts-table tbody tr[data-key='{line.GetProperty("collab_id").GetString()}']");
            Assert.Equal(CreatorFen(line.GetProperty("total").GetInt64()), await row.Locator("td[data-column=total]").TextContentAsync());
        }
        Assert.Equal(payouts.GetProperty("total").GetInt64(), lines.Sum(l => l.GetProperty("total").GetInt64()));
        Assert.Equal(payouts.GetProperty("total").GetInt64().ToString(CultureInfo.InvariantCulture), await page.Locator("#payouts-total").GetAttributeAsync("data-total"));
        Assert.Contains(CreatorFen(payouts.GetProperty("total").GetInt64()), await page.Locator("#payouts-total").TextContentAsync(), StringComparison.Ordinal);
    }

    private static string CreatorFen(long fen) => (fen < 0 ? "-" : "") + "¥" + Math.Abs(fen / 100m).ToString("N2", CultureInfo.InvariantCulture);
}
