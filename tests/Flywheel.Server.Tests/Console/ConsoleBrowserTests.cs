using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Flywheel.Ingestion.Demo;
using Flywheel.Storage;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// One demo store (SQLite: the console only talks HTTP, so the engine does not matter to it) behind a real Kestrel on a loopback
/// port, and Debian's Chromium driven headless by Playwright (ExecutablePath: <c>playwright install</c> cannot download here).
/// The server's clock is the wall clock read once: the browser keeps or drops the session cookie by its own clock.
/// </summary>
public sealed class ConsoleServer : IAsyncLifetime
{
    private FlywheelStore? _store;
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string Url { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public FlywheelStore Store => _store!;

    public async Task InitializeAsync()
    {
        var clock = new TestClock(TimeProvider.System.GetUtcNow().ToOffset(TimeSpan.FromHours(8)));
        _store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        var demo = await DemoStoreGenerator.GenerateAsync(_store, new DemoOptions(Customers: 300, Days: 200, Seed: 14), clock, null, CancellationToken.None);
        // As `flywheel demo` does: promotions to price against, a journey and a broadcast (run as the experiment d11_sms_copy) to show,
        // GMV goals for the month and quarter.
        await Flywheel.Promotions.PromotionsModule.AddDemoAsync(_store, CancellationToken.None);
        await Flywheel.Campaigns.CampaignsModule.AddDemoAsync(_store, clock, CancellationToken.None,
            (time, ct) => Flywheel.Experiments.ExperimentsModule.StartDemoAsync(_store, time, ct));
        await Flywheel.Grow.GrowModule.AddDemoAsync(_store, clock, CancellationToken.None);
        await Flywheel.Analytics.AnalyticsModule.AddDemoGoalsAsync(_store, DateOnly.Parse(demo.Parameters.FirstDay, CultureInfo.InvariantCulture),
            DateOnly.Parse(demo.Parameters.LastDay, CultureInfo.InvariantCulture), CancellationToken.None);
        Url = ConsoleBrowser.LoopbackUrl();
        _app = FlywheelServer.Build(_store, clock, Url, new ServerOptions());
        await _app.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await ConsoleBrowser.LaunchAsync(_playwright);
        // Waits are for a condition (an element, a text), never a fixed time; the bound only stops a broken page from hanging the run.
        Assertions.SetDefaultExpectTimeout(60_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _store?.Dispose();
    }

    /// <summary>A fresh browser context (its own cookies and localStorage) with a page on the console.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Url,
            Locale = "zh-CN",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>An API client with the same key the page signed in with, to ask the API what the page should show.</summary>
    public HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>What every console fixture shares: a free loopback URL for Kestrel and Debian's Chromium, headless.</summary>
internal static class ConsoleBrowser
{
    public static string LoopbackUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    /// <summary>Chromium from FLYWHEEL_TEST_CHROMIUM or /usr/bin/chromium (<c>playwright install</c> cannot download here).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        });
}

/// <summary>Issue 14, the console's foundation, in a real browser: sign-in, the overview against the API, both languages, keyboard.</summary>
public sealed partial class ConsoleBrowserTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    private static readonly string[] Kpis = ["gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate", "spend", "roi", "cac"];

    /// <summary>Screenshots go to tests/Flywheel.Server.Tests/TestResults/console/ (git-ignored), or FLYWHEEL_TEST_ARTIFACTS.</summary>
    private static string Artifacts
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_ARTIFACTS") is { Length: > 0 } given
                ? Path.Combine(given, "console")
                : Path.Combine(RepositoryRoot(), "tests", "Flywheel.Server.Tests", "TestResults", "console");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Flywheel.slnx"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }

    private async Task<(IPage Page, string Key)> SignInAsync(string role)
    {
        var key = await TestKeys.CreateAsync(server.Store, role, "console-" + role);
        var page = await server.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("API 密钥").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Assertions.Expect(page.Locator("#kpis li.kpi")).ToHaveCountAsync(Kpis.Length);
        return (page, key);
    }

    [Fact]
    public async Task Overview_AsAnalyst_ShowsTheApisKpisForTheRange_AndForEachPreset()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await AssertKpisEqualApiAsync(page, api, "zh");
        Assert.Equal("30", await page.Locator("#range-preset").InputValueAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "overview-zh.png"), FullPage = true });

        foreach (var preset in new[] { "today", "7", "90", "quarter", "618", "1111" })
        {
            var before = await page.Locator("#range-note").GetAttributeAsync("data-from");
            await page.Locator("#range-preset").SelectOptionAsync(preset);
            var expectedFrom = await ExpectedFromAsync(api, preset);
            if (expectedFrom != before) await Assertions.Expect(page.Locator("#range-note")).ToHaveAttributeAsync("data-from", expectedFrom);
            await Assertions.Expect(page.Locator("#kpis li.kpi")).ToHaveCountAsync(Kpis.Length);
            await AssertKpisEqualApiAsync(page, api, "zh");
        }
    }

    [Fact]
    public async Task Language_Toggle_ChangesLabels_AndSurvivesAReload()
    {
        var (page, _) = await SignInAsync(Roles.Marketer);
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("经营概览");
        await Assertions.Expect(page.Locator("#kpi-aov-label")).ToHaveTextAsync("客单价");

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await Assertions.Expect(page.Locator("#kpi-aov-label")).ToHaveTextAsync("Average order value");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Funnel" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#kpis li.kpi")).ToHaveCountAsync(Kpis.Length);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal("en", await page.EvaluateAsync<string>("() => localStorage.getItem('flywheel.lang')"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "overview-en.png"), FullPage = true });

        // A page not built yet (if any is left) is a "coming" placeholder in both languages, not an error.
        var coming = page.Locator("#nav a:has(.badge)");
        if (await coming.CountAsync() > 0)
        {
            var id = (await coming.First.GetAttributeAsync("data-page"))!;
            await coming.First.ClickAsync();
            await Assertions.Expect(page.Locator($"section.coming[data-page={id}] h1")).ToContainTextAsync("coming");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "coming-en.png"), FullPage = true });
            await page.GetByRole(AriaRole.Button, new() { Name = "切换到中文" }).ClickAsync();
            await Assertions.Expect(page.Locator($"section.coming[data-page={id}] h1")).ToContainTextAsync("即将推出");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "coming-zh.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task EveryPage_InTheNavigation_LoadsWithoutAnError()
    {
        var (page, _) = await SignInAsync(Roles.AdminRole);
        var ids = await page.Locator("#nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.page)");
        Assert.Contains("cohorts", ids);
        Assert.Contains("goals", ids);
        foreach (var id in ids)
        {
            await page.Locator($"#nav a[data-page={id}]").ClickAsync();
            await Assertions.Expect(page.Locator($"#nav a[data-page={id}]")).ToHaveAttributeAsync("aria-current", "page");
            await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("main h1")).ToHaveCountAsync(1);
            Assert.Equal(0, await page.Locator("main .error:not(:empty)").CountAsync());
        }
    }

    [Fact]
    public async Task SignIn_Page_IsLabelled_AndAWrongKeyIsRefused()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByLabel("API 密钥")).ToBeFocusedAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "signin-zh.png"), FullPage = true });
        await page.GetByLabel("API 密钥").FillAsync("fw_live_not-a-key");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#signin-error")).ToHaveTextAsync("登录失败：密钥无效或已被撤销。"); // all in the page's language
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task MainControls_HaveAccessibleNames_AndAreReachableByKeyboard()
    {
        var (page, _) = await SignInAsync(Roles.Analyst);
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "时间范围" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByLabel("开始日期")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByLabel("结束日期")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "主导航" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Listitem, new() { Name = "成交额 GMV" })).ToHaveCountAsync(1);
        var unlabelled = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('input, select, textarea')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).length
                + [...document.querySelectorAll('button, a')].filter(e => !(e.getAttribute('aria-label') || e.textContent).trim()).length
            """);
        Assert.Equal(0, unlabelled);

        var reached = new HashSet<string>(StringComparer.Ordinal);
        await page.Locator("body").FocusAsync();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.id || e.dataset.page || e.tagName; }"));
        }
        foreach (var control in new[] { "lang", "signout", "overview", "channels", "journeys", "range-preset", "range-from", "range-to", "range-apply" })
            Assert.Contains(control, reached);

        // The preset works from the keyboard alone.
        await page.Locator("#range-preset").FocusAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#range-preset")).ToHaveValueAsync("7");
    }

    [Fact]
    public async Task Navigation_OffersOnlyWhatTheRoleMayRead()
    {
        var (viewer, _) = await SignInAsync(Roles.Viewer);
        await Assertions.Expect(viewer.Locator("#nav a[data-page=overview]")).ToHaveCountAsync(1);
        await Assertions.Expect(viewer.Locator("#nav a[data-page=customers]")).ToHaveCountAsync(0); // customers:read
        var (analyst, _) = await SignInAsync(Roles.Analyst);
        await Assertions.Expect(analyst.Locator("#nav a[data-page=customers]")).ToHaveCountAsync(1);
        await Assertions.Expect(analyst.Locator("#who")).ToContainTextAsync("分析师");

        await analyst.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await Assertions.Expect(analyst.GetByLabel("API 密钥")).ToBeVisibleAsync();
        await analyst.ReloadAsync();
        await Assertions.Expect(analyst.GetByLabel("API 密钥")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ConsolePages_AreServedWithoutAKey_WithTheSecurityHeaders()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html); // no inline script: the CSP would block it anyway

        var script = await anonymous.GetAsync("/console/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/console/nothing-here.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/metrics")).StatusCode); // the data still needs a key
    }

    [Fact]
    public async Task ChartBundle_IsServed_GzippedWhenTheBrowserAsks_WithItsOwnETag()
    {
        // No automatic decompression: the test sees the bytes on the wire.
        using var anonymous = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(server.Url) };
        using var plain = await anonymous.GetAsync("/console/vendor/echarts.js");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        var raw = await plain.Content.ReadAsByteArrayAsync();
        Assert.Contains("Accept-Encoding", plain.Headers.Vary);

        using var ask = new HttpRequestMessage(HttpMethod.Get, "/console/vendor/echarts.js");
        ask.Headers.TryAddWithoutValidation("Accept-Encoding", "br;q=1.0, gzip;q=0.8");
        using var zipped = await anonymous.SendAsync(ask);
        Assert.Equal("gzip", zipped.Content.Headers.ContentEncoding.Single());
        var wire = await zipped.Content.ReadAsByteArrayAsync();
        Assert.True(wire.Length < raw.Length / 2, $"gzip {wire.Length} bytes against {raw.Length}");
        using (var unzip = new System.IO.Compression.GZipStream(new MemoryStream(wire), System.IO.Compression.CompressionMode.Decompress))
        using (var back = new MemoryStream())
        {
            await unzip.CopyToAsync(back);
            Assert.Equal(raw, back.ToArray());
        }
        Assert.NotEqual(plain.Headers.ETag!.Tag, zipped.Headers.ETag!.Tag);

        // gzip;q=0 is a refusal.
        using var refuse = new HttpRequestMessage(HttpMethod.Get, "/console/vendor/echarts.js");
        refuse.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip;q=0");
        using var refused = await anonymous.SendAsync(refuse);
        Assert.Empty(refused.Content.Headers.ContentEncoding);
    }

    /// <summary>The preset's first day: the API's last day with data (its default range ends there) minus the preset's length.</summary>
    private static async Task<string> ExpectedFromAsync(HttpClient api, string preset)
    {
        var end = DateOnly.ParseExact((await GetJsonAsync(api, "/v1/metrics")).GetProperty("to").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var from = preset switch
        {
            "quarter" => new DateOnly(end.Year, (end.Month - 1) / 3 * 3 + 1, 1),
            "today" => end,
            // The festival's latest window begun by the data's last day: 618 from 1 June, 双11 from the presale on 20 October.
            "618" => new DateOnly(new DateOnly(end.Year, 6, 1) > end ? end.Year - 1 : end.Year, 6, 1),
            "1111" => new DateOnly(new DateOnly(end.Year, 10, 20) > end ? end.Year - 1 : end.Year, 10, 20),
            _ => end.AddDays(1 - int.Parse(preset, CultureInfo.InvariantCulture)),
        };
        return from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Every card shows the API's figure for the range the page states, formatted as the console promises, with its change.</summary>
    private static async Task AssertKpisEqualApiAsync(IPage page, HttpClient api, string lang)
    {
        var note = page.Locator("#range-note");
        var from = await note.GetAttributeAsync("data-from");
        var to = await note.GetAttributeAsync("data-to");
        var report = await GetJsonAsync(api, $"/v1/metrics?from={from}&to={to}&compare=previous,yoy");
        var days = (await GetJsonAsync(api, $"/v1/metrics?from={from}&to={to}&by=day")).GetProperty("rows").EnumerateArray().ToList();
        var currency = report.GetProperty("currency").GetString()!;
        Assert.Equal(currency, await note.GetAttributeAsync("data-currency"));
        var row = report.GetProperty("rows")[0];
        await Assertions.Expect(page.Locator("#kpis")).ToHaveAttributeAsync("data-as-of", to!);
        foreach (var kpi in Kpis)
        {
            var card = page.Locator($"li.kpi[data-kpi={kpi}]");
            Assert.Equal(Expected(kpi, row.GetProperty(kpi), currency), await card.Locator(".kpi-value").TextContentAsync());
            await AssertChangeAsync(card.Locator(".kpi-change"), row, "previous", kpi, lang == "zh" ? "上期无可比数据" : "no previous figure");
            await AssertChangeAsync(card.Locator(".kpi-yoy"), row, "yoy", kpi, lang == "zh" ? "去年同期无数据" : "no figure a year earlier");

            // The sparkline draws the API's daily figures for the range, a day without a figure as a gap.
            var spark = card.Locator(".kpi-spark");
            await Assertions.Expect(spark.Locator("canvas")).ToHaveCountAsync(1);
            Assert.False(string.IsNullOrWhiteSpace(await spark.GetAttributeAsync("aria-label")));
            var points = JsonDocument.Parse((await spark.GetAttributeAsync("data-points"))!).RootElement.EnumerateArray()
                .Select(p => p.ValueKind == JsonValueKind.Null ? (double?)null : p.GetDouble()).ToList();
            var expected = days.Select(d => d.GetProperty(kpi) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : (double?)null).ToList();
            Assert.Equal(expected, points);
        }
    }

    /// <summary>The card's change line shows the API's relative change (signed, one decimal) or says there is no comparison.</summary>
    private static async Task AssertChangeAsync(ILocator line, JsonElement row, string comparison, string kpi, string none)
    {
        var change = row.GetProperty("change").GetProperty(comparison);
        var relative = change.ValueKind == JsonValueKind.Object ? change.GetProperty(kpi).GetProperty("relative") : default;
        var shown = await line.TextContentAsync();
        if (relative.ValueKind == JsonValueKind.Number)
        {
            var r = relative.GetDouble();
            var text = (Math.Abs(r) * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
            Assert.StartsWith(r > 0 ? "+" + text : r < 0 ? "-" + text : text, shown, StringComparison.Ordinal);
        }
        else Assert.Equal(none, shown);
    }

    private static string Expected(string kpi, JsonElement value, string currency)
    {
        if (value.ValueKind == JsonValueKind.Null) return "—";
        var v = value.GetDouble();
        var symbol = currency switch { "CNY" or "JPY" => "¥", "GBP" => "£", "USD" => "$", "EUR" => "€", "HKD" => "HK$", _ => currency + " " };
        return kpi switch
        {
            "gmv" or "aov" or "spend" or "cac" => (v < 0 ? "-" : "") + symbol + Math.Abs(v).ToString("N2", CultureInfo.InvariantCulture),
            "cvr" or "repurchase_rate" => (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%",
            "roi" => v.ToString("F2", CultureInfo.InvariantCulture),
            _ => v.ToString("N0", CultureInfo.InvariantCulture),
        };
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
