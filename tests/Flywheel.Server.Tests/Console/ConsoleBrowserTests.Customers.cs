using System.Globalization;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>Issue 14's Customers page against the RFM, persona and profile APIs, with personal data masked per role.</summary>
public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task Customers_RfmGridAndSegments_EqualTheApi_AndACountLeadsToItsCustomersAndAProfile()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.Locator("#nav a[data-page=customers]").ClickAsync();
        await Assertions.Expect(page.Locator("#rfm-grid td.heat")).ToHaveCountAsync(25);
        var rfm = await GetJsonAsync(api, "/v1/rfm");
        await AssertGridEqualsApiAsync(page, rfm);
        await AssertHeatContrastAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "customers-zh.png"), FullPage = true });

        // The fullest cell's count opens its customers: the total is the cell's, the list is the API's for that cell.
        var cell = rfm.GetProperty("grid").EnumerateArray().MaxBy(c => c.GetProperty("customers").GetInt32());
        var (r, fm) = (cell.GetProperty("r").GetInt32(), cell.GetProperty("fm").GetInt32());
        await page.Locator($"#rfm-grid td[data-r='{r}'][data-fm='{fm}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#members-note")).ToHaveAttributeAsync("data-total", Raw(cell.GetProperty("customers").GetInt32()));
        var members = await GetJsonAsync(api, $"/v1/rfm?customers=200&r={r}&fm={fm}");
        var expectedIds = members.GetProperty("customers").EnumerateArray().Select(c => c.GetProperty("customer_id").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expectedIds);
        await Assertions.Expect(page.Locator("#members-table tbody tr")).ToHaveCountAsync(expectedIds.Count);
        var shownIds = (await page.Locator("#members-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedIds, shownIds);

        // ... and a customer id opens the profile.
        var first = page.Locator("#members-table tbody tr th a").First;
        var id = await first.TextContentAsync();
        await first.ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"客户 {id}");
        await Assertions.Expect(page.Locator("[data-field=customer_id]")).ToHaveTextAsync(id!);
        var profile = await GetJsonAsync(api, $"/v1/customers/{id}/profile");
        var segment = profile.GetProperty("rfm").GetProperty("segment");
        Assert.Equal(cell.GetProperty("segment").GetString(), segment.GetProperty("code").GetString());
        await Assertions.Expect(page.Locator("[data-field=segment]")).ToHaveTextAsync(segment.GetProperty("name_zh").GetString()!);

        // Segments: every size equals the API's, and a size opens the segment's customers.
        await page.Locator(".tabs a[data-view=segments]").ClickAsync();
        await Assertions.Expect(page.Locator("#segments-table tbody tr")).ToHaveCountAsync(rfm.GetProperty("segments").GetArrayLength());
        await AssertSegmentsEqualApiAsync(page, rfm);
        var biggest = rfm.GetProperty("segments").EnumerateArray().MaxBy(s => s.GetProperty("customers").GetInt32());
        await page.Locator($"#segments-table tr[data-key='{biggest.GetProperty("code").GetString()}'] td[data-column=customers] a").ClickAsync();
        await Assertions.Expect(page.Locator("#members-note")).ToHaveAttributeAsync("data-total", Raw(biggest.GetProperty("customers").GetInt32()));
        await Assertions.Expect(page.Locator("#members-table tbody tr")).ToHaveCountAsync(Math.Min(200, biggest.GetProperty("customers").GetInt32()));

        // Persona of a segment: each distribution as the API gives it.
        await page.Locator(".tabs a[data-view=persona]").ClickAsync();
        await Assertions.Expect(page.Locator("#persona-note")).ToHaveAttributeAsync("data-segment", "champions");
        await AssertPersonaEqualsApiAsync(page, api, "champions");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "人群" }).SelectOptionAsync("at_risk");
        await Assertions.Expect(page.Locator("#persona-note")).ToHaveAttributeAsync("data-segment", "at_risk");
        await AssertPersonaEqualsApiAsync(page, api, "at_risk");

        // English: the same grid, in English.
        await page.Locator(".tabs a[data-view=rfm]").ClickAsync();
        await Assertions.Expect(page.Locator("#rfm-grid td.heat")).ToHaveCountAsync(25);
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Customers");
        await AssertGridEqualsApiAsync(page, rfm, "en");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "customers-en.png"), FullPage = true });
        await page.Locator(".tabs a[data-view=segments]").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "GMV share" })).ToHaveCountAsync(1);
        await AssertSegmentsEqualApiAsync(page, rfm);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "customers-segments-en.png"), FullPage = true });
    }

    [Fact]
    public async Task CustomerProfile_MasksPersonalDataForAnAnalyst_AndShowsItInClearToAMarketer()
    {
        var (analyst, analystKey) = await SignInAsync(Roles.Analyst);
        var (marketer, marketerKey) = await SignInAsync(Roles.Marketer);
        using var analystApi = server.ApiClient(analystKey);
        using var marketerApi = server.ApiClient(marketerKey);
        var id = (await GetJsonAsync(analystApi, "/v1/rfm?customers=1")).GetProperty("customers")[0].GetProperty("customer_id").GetString()!;
        var masked = (await GetJsonAsync(analystApi, $"/v1/customers/{id}/profile")).GetProperty("identity");
        var clear = (await GetJsonAsync(marketerApi, $"/v1/customers/{id}/profile")).GetProperty("identity");

        await analyst.EvaluateAsync("hash => { location.hash = hash; }", $"#/customers/{id}");
        await Assertions.Expect(analyst.Locator("#profile-masking")).ToHaveAttributeAsync("data-masked", "true");
        foreach (var field in new[] { "name", "phone", "email" })
        {
            var value = masked.GetProperty(field).GetString()!;
            Assert.Contains("*", value, StringComparison.Ordinal);
            Assert.NotEqual(clear.GetProperty(field).GetString(), value);
            await Assertions.Expect(analyst.Locator($"[data-field={field}]")).ToHaveTextAsync(value);
        }
        await Assertions.Expect(analyst.Locator("[data-field=birth_date]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}$"));
        await Assertions.Expect(analyst.Locator("#coupons-table")).ToHaveCountAsync(1);
        await analyst.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "customer-profile-zh.png"), FullPage = true });

        await marketer.EvaluateAsync("hash => { location.hash = hash; }", $"#/customers/{id}");
        await Assertions.Expect(marketer.Locator("#profile-masking")).ToHaveAttributeAsync("data-masked", "false");
        foreach (var field in new[] { "name", "phone", "email" })
        {
            var value = clear.GetProperty(field).GetString()!;
            Assert.DoesNotContain("*", value, StringComparison.Ordinal);
            await Assertions.Expect(marketer.Locator($"[data-field={field}]")).ToHaveTextAsync(value);
        }
        var profile = await GetJsonAsync(marketerApi, $"/v1/customers/{id}/profile");
        await Assertions.Expect(marketer.Locator("[data-field=birth_date]")).ToHaveTextAsync(profile.GetProperty("attributes").GetProperty("birth_date").GetString()!);
        await Assertions.Expect(marketer.Locator("[data-field=orders]")).ToHaveTextAsync(Text(profile.GetProperty("orders").GetProperty("count").GetInt32()));
        await marketer.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(marketer.Locator("h1")).ToHaveTextAsync($"Customer {id}");
        await Assertions.Expect(marketer.Locator("[data-field=segment]")).ToHaveTextAsync(profile.GetProperty("rfm").GetProperty("segment").GetProperty("name_en").GetString()!);
        await marketer.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "customer-profile-en.png"), FullPage = true });
    }

    private static string Text(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Raw(long count) => count.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each of the 25 cells holds the API's count (shown and as data), its segment's name, and a link when it has customers.</summary>
    private static async Task AssertGridEqualsApiAsync(IPage page, JsonElement rfm, string lang = "zh")
    {
        var names = rfm.GetProperty("segments").EnumerateArray().ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("name_" + lang).GetString()!);
        // The page draws its heading before the grid's answer arrives (a language switch re-renders it): wait for the grid.
        await Assertions.Expect(page.Locator("#rfm-grid td.heat")).ToHaveCountAsync(25);
        var shown = await page.Locator("#rfm-grid td.heat").EvaluateAllAsync<JsonElement>(
            "cells => cells.map(c => ({ r: c.dataset.r, fm: c.dataset.fm, segment: c.dataset.segment, customers: c.dataset.customers, name: c.querySelector('.heat-name').textContent, count: c.querySelector('.heat-count').textContent, link: !!c.querySelector('a') }))");
        var cells = shown.EnumerateArray().ToDictionary(c => (c.GetProperty("r").GetString(), c.GetProperty("fm").GetString()));
        Assert.Equal(25, cells.Count);
        foreach (var expected in rfm.GetProperty("grid").EnumerateArray())
        {
            var cell = cells[(Raw(expected.GetProperty("r").GetInt32()), Raw(expected.GetProperty("fm").GetInt32()))];
            var count = expected.GetProperty("customers").GetInt32();
            var segment = expected.GetProperty("segment").GetString()!;
            Assert.Equal(segment, cell.GetProperty("segment").GetString());
            Assert.Equal(names[segment], cell.GetProperty("name").GetString());
            Assert.Equal(Raw(count), cell.GetProperty("customers").GetString());
            Assert.Equal(Text(count), cell.GetProperty("count").GetString());
            Assert.Equal(count > 0, cell.GetProperty("link").GetBoolean());
        }
        Assert.Equal(rfm.GetProperty("customers_scored").GetInt32(), rfm.GetProperty("grid").EnumerateArray().Sum(c => c.GetProperty("customers").GetInt32()));
    }

    /// <summary>WCAG AA: every heat cell's text colour against its background is at least 4.5:1, computed from the page's styles.</summary>
    private static async Task AssertHeatContrastAsync(IPage page)
    {
        var ratios = await page.Locator("#rfm-grid td.heat").EvaluateAllAsync<double[]>("""
            cells => cells.map(c => {
              const lum = (css) => {
                const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
                  .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
              };
              const style = getComputedStyle(c);
              const a = lum(style.color), b = lum(style.backgroundColor);
              return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            })
            """);
        Assert.Equal(25, ratios.Length);
        Assert.All(ratios, ratio => Assert.True(ratio >= 4.5, $"contrast {ratio:F2} is below 4.5:1"));
        Assert.True((await page.Locator("#rfm-grid td.heat").EvaluateAllAsync<string[]>("cells => [...new Set(cells.map(c => c.className))]")).Length > 1,
            "cells are shaded by their counts");
    }

    private static async Task AssertSegmentsEqualApiAsync(IPage page, JsonElement rfm)
    {
        foreach (var s in rfm.GetProperty("segments").EnumerateArray())
        {
            var row = page.Locator($"#segments-table tr[data-key='{s.GetProperty("code").GetString()}']");
            Assert.Equal(Text(s.GetProperty("customers").GetInt32()), await row.Locator("td[data-column=customers]").TextContentAsync());
            Assert.Equal((s.GetProperty("gmv_share").GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture) + "%",
                await row.Locator("td[data-column=gmv_share]").TextContentAsync());
            Assert.Equal("¥" + s.GetProperty("gmv").GetDecimal().ToString("N2", CultureInfo.InvariantCulture), await row.Locator("td[data-column=gmv]").TextContentAsync());
            var action = await row.Locator("td[data-column=action]").TextContentAsync();
            Assert.True(action == s.GetProperty("action_zh").GetString() || action == s.GetProperty("action_en").GetString(), action);
        }
    }

    private static async Task AssertPersonaEqualsApiAsync(IPage page, HttpClient api, string segment)
    {
        var persona = await GetJsonAsync(api, $"/v1/personas/{segment}");
        Assert.NotEmpty(persona.GetProperty("dimensions").EnumerateArray());
        foreach (var d in persona.GetProperty("dimensions").EnumerateArray())
        {
            var rows = page.Locator($"#persona-{d.GetProperty("code").GetString()} tbody tr");
            var values = d.GetProperty("values").EnumerateArray().ToList();
            await Assertions.Expect(rows).ToHaveCountAsync(Math.Max(1, values.Count));
            for (var i = 0; i < values.Count; i++)
            {
                Assert.Equal(Text(values[i].GetProperty("customers").GetInt32()), await rows.Nth(i).Locator("td[data-column=customers]").TextContentAsync());
                Assert.Equal((values[i].GetProperty("share").GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture) + "%",
                    await rows.Nth(i).Locator("td[data-column=share]").TextContentAsync());
            }
        }
    }
}
