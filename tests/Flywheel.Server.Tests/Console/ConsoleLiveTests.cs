using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Hosting.Access;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;
using Flywheel.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// A synthetic year of events (FLYWHEEL_CONSOLE_EVENTS, default 200,000; the issue's figure is taken at 10,000,000) in a
/// SQLite store behind a real Kestrel, and Debian's Chromium. The server is started on the written store like
/// <c>flywheel serve</c> starts on one, and the times it takes are logged, not asserted (issue 14, "Figures").
/// </summary>
public sealed class LiveConsoleServer : IAsyncLifetime
{
    /// <summary>The data's time zone (the store's default, Asia/Shanghai) as an offset: the generator writes local days.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    private FlywheelStore? _store;
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public int Events { get; } = int.TryParse(Environment.GetEnvironmentVariable("FLYWHEEL_CONSOLE_EVENTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
        ? n
        : 200_000;

    public int Customers => Math.Max(1_000, Events / 50);
    public string Url { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public FlywheelStore Store => _store!;
    public EventIndexHost Index => _app!.Services.GetRequiredService<EventIndexHost>();

    /// <summary>The last day of the synthetic year (the day before the server's today), in the store's zone.</summary>
    public DateOnly DataEnd { get; private set; }

    /// <summary>What the fixture's set-up took, for the timing log.</summary>
    public List<string> Setup { get; } = [];

    public async Task InitializeAsync()
    {
        var now = TimeProvider.System.GetUtcNow().ToOffset(Offset);
        var clock = new TestClock(now);
        DataEnd = DateOnly.FromDateTime(now.DateTime).AddDays(-1);
        _store = await TestStores.OpenAsync(TestStores.Sqlite, clock);
        var watch = Stopwatch.StartNew();
        await SyntheticYear.WriteAsync(_store, Events, Customers, DataEnd);
        Setup.Add(string.Create(CultureInfo.InvariantCulture, $"wrote {Events:N0} events, {Customers:N0} customers, {Customers / 2:N0} orders in {watch.Elapsed.TotalSeconds:F1} s"));

        Url = ConsoleBrowser.LoopbackUrl();
        watch.Restart();
        _app = FlywheelServer.Build(_store, clock, Url, new ServerOptions());
        await _app.StartAsync();
        var started = watch.Elapsed;
        // The index every report reads is built from the store (the server starts building it when it starts); the
        // cold render below is the first page after it is ready, so the build is logged here, not inside the render.
        var index = await Index.GetAsync(allowStale: false, CancellationToken.None);
        Setup.Add(string.Create(CultureInfo.InvariantCulture,
            $"server listening after {started.TotalMilliseconds:F0} ms; index of {index.EventCount:N0} events ready {watch.Elapsed.TotalSeconds:F1} s after the start"));

        _playwright = await Playwright.CreateAsync();
        Browser = await ConsoleBrowser.LaunchAsync(_playwright);
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

    public HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>
/// The store of the issue's figures, written straight through an ingest session (as <c>bench analytics</c> does): events
/// spread evenly over the 365 days ending on <c>end</c>, by customers c0..c(C-1) on 11 channels, 50 campaigns and 500 SKUs;
/// C/2 paid orders over the same year; a year of spend per channel. Deterministic (seeded).
/// </summary>
internal static class SyntheticYear
{
    public static readonly string[] Channels = ["xiaohongshu", "douyin", "bilibili", "weibo", "tmall", "jd", "pinduoduo", "wechat", "baidu", "email", "sms"];

    public static async Task WriteAsync(FlywheelStore store, int events, int customers, DateOnly end)
    {
        string[] types = ["page_view", "product_view", "add_to_cart", "begin_checkout", "order_paid", "search"];
        var random = new Random(14);
        var first = end.AddDays(-364);
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), LiveConsoleServer.Offset).ToUnixTimeMilliseconds();
        const long Year = 365L * 86_400_000;
        await using var session = await IngestSession.BeginAsync(store, "test", "console live figures", CancellationToken.None);
        for (var i = 0; i < events; i++)
        {
            session.WriteEvent(new EventRow
            {
                EventId = "e" + i.ToString(CultureInfo.InvariantCulture),
                Type = types[random.Next(types.Length)],
                Time = start + random.NextInt64(0, Year),
                CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                Channel = Channels[random.Next(Channels.Length)],
                Campaign = "camp" + random.Next(50).ToString(CultureInfo.InvariantCulture),
                Sku = "sku" + random.Next(500).ToString(CultureInfo.InvariantCulture),
            });
        }
        for (var d = 0; d < 365; d++)
            foreach (var channel in Channels)
                session.UpsertSpend(new SpendRow { Date = first.AddDays(d), Channel = channel, Cost = random.NextInt64(10_000, 1_000_000), Impressions = 100_000, Clicks = 2_000 });
        for (var o = 0; o < customers / 2; o++)
        {
            var placed = start + random.NextInt64(0, Year);
            var order = new OrderRow
            {
                OrderId = "o" + o.ToString(CultureInfo.InvariantCulture),
                CustomerId = "c" + random.Next(customers).ToString(CultureInfo.InvariantCulture),
                Status = "completed",
                PlacedAt = placed,
                PaidAt = placed,
                Channel = Channels[random.Next(Channels.Length)],
            };
            order.Lines.Add(new OrderLineRow { Sku = "sku" + random.Next(500).ToString(CultureInfo.InvariantCulture), Quantity = 1, UnitPrice = random.NextInt64(1_000, 100_000) });
            session.WriteOrder(order, createMissingProducts: true);
        }
        await session.CommitAsync(events, 0, CancellationToken.None);
    }
}

/// <summary>
/// Issue 14's figures in a real browser: the overview's cold and warm render, and its freshness while ingest runs at a steady
/// 2,000 events/s. Correctness is asserted (the page ends up showing exactly the API's figure); the times are logged to the
/// test output and appended to <c>console/timing.log</c> under the test artifacts, never asserted.
/// </summary>
public sealed class ConsoleLiveTests(LiveConsoleServer server, ITestOutputHelper output) : IClassFixture<LiveConsoleServer>
{
    private const int BatchEvents = 200;
    private static readonly TimeSpan BatchEvery = TimeSpan.FromMilliseconds(100);
    private const decimal MarkerYuan = 12_345.67m;

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

    private readonly List<string> _log = [];

    private void Log(string line)
    {
        output.WriteLine(line);
        _log.Add(line);
    }

    [Fact]
    public async Task Overview_RendersColdAndWarm_AndShowsANewOrderUnderSteadyIngest_WithTheApisFigures()
    {
        Log(string.Create(CultureInfo.InvariantCulture, $"== console live figures {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z, {server.Events:N0} events, {Environment.ProcessorCount} cores, load {LoadAverage()}"));
        foreach (var line in server.Setup) Log(line);
        try
        {
            var analystKey = await TestKeys.CreateAsync(server.Store, Roles.Analyst, "live-analyst");
            var ingestKey = await TestKeys.CreateAsync(server.Store, Roles.Ingest, "live-ingest");
            using var api = server.ApiClient(analystKey);

            // Cold: a fresh browser context (empty cache) signed in by the API, then the first navigation to the overview
            // since the server started. The time is the page's own: navigation start to its 'overview:rendered' mark.
            var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = server.Url,
                Locale = "zh-CN",
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            });
            context.SetDefaultTimeout(60_000);
            var signIn = await context.APIRequest.PostAsync("/v1/session", new() { DataObject = new { key = analystKey } });
            Assert.Equal(200, signIn.Status);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/");
            var cold = await RenderedAtAsync(page);
            Log(string.Create(CultureInfo.InvariantCulture, $"overview cold render: {cold:F0} ms (navigation start to 'overview:rendered', first page after the server start)"));
            await AssertGmvEqualsApiAsync(page, api);

            for (var i = 1; i <= 3; i++)
            {
                await page.ReloadAsync();
                var warm = await RenderedAtAsync(page);
                Log(string.Create(CultureInfo.InvariantCulture, $"overview warm render {i}: {warm:F0} ms (reload)"));
            }
            await AssertGmvEqualsApiAsync(page, api);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "overview-live-zh.png"), FullPage = true });

            await FreshnessAsync(page, api, ingestKey);
        }
        finally
        {
            await File.AppendAllLinesAsync(Path.Combine(Artifacts, "timing.log"), _log);
        }
    }

    /// <summary>
    /// Steady ingest (200 events every 100 ms, each a POST /v1/events with an ingest key, dated on the data's last day so
    /// the range does not move, page views that carry no GMV), then one order of a known amount on the last day: the time
    /// from posting it to the page's GMV card showing it, by the page's clock.
    /// </summary>
    private async Task FreshnessAsync(IPage page, HttpClient api, string ingestKey)
    {
        using var ingest = server.ApiClient(ingestKey);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // bounded whatever happens below
        using var load = new SteadyIngest(ingest, server, BatchEvents, BatchEvery);
        var refreshes = new ConcurrentQueue<IndexRefresh>();
        var sampler = Task.Run(async () =>
        {
            IndexRefresh? last = null;
            while (!stop.IsCancellationRequested)
            {
                if (server.Index.LastRefresh is { } r && !ReferenceEquals(r, last)) refreshes.Enqueue(last = r);
                try
                {
                    await Task.Delay(20, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        var running = load.RunAsync(stop.Token);
        try
        {
            // Steady state first: ten seconds' worth of batches accepted before the marker.
            await load.WaitForBatchesAsync(100, stop.Token);
            var page1 = await page.Locator("#kpis").GetAttributeAsync("data-refreshed-at");
            Assert.NotNull(page1); // the page refreshes itself (overview.js): the freshness below depends on it

            var note = page.Locator("#range-note");
            var from = await note.GetAttributeAsync("data-from");
            var to = await note.GetAttributeAsync("data-to");
            Assert.Equal(server.DataEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to);
            var before = await GmvAsync(api, from!, to!);
            var expected = before + MarkerYuan;

            var marker = "live-marker-" + Guid.NewGuid().ToString("N")[..8];
            var paid = new DateTimeOffset(server.DataEnd.ToDateTime(new TimeOnly(9, 30)), LiveConsoleServer.Offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            var order = $$"""
                {"order_id":"{{marker}}","customer_id":"c7","placed_at":"{{paid}}","paid_at":"{{paid}}","status":"completed","channel":"tmall",
                 "lines":[{"sku":"sku1","quantity":1,"unit_price":"{{MarkerYuan.ToString(CultureInfo.InvariantCulture)}}"}]}
                """;
            var postedAt = await page.EvaluateAsync<double>("() => performance.now()");
            var watch = Stopwatch.StartNew();
            using (var posted = await ingest.PostAsync("/v1/orders", new StringContent(order, Encoding.UTF8, "application/json")))
                Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            var committed = watch.Elapsed;
            // GET /v1/metrics without stale_ok waits for the index to hold every committed write: its answer time is the
            // server's own lag (the append), apart from the page's refresh period.
            var apiAfter = await GmvAsync(api, from!, to!);
            var apiLag = watch.Elapsed;
            Assert.Equal(expected, apiAfter);

            var shown = Money(expected);
            await page.WaitForFunctionAsync(
                "text => document.querySelector('#kpis li.kpi[data-kpi=gmv] .kpi-value')?.textContent === text",
                shown, new() { Timeout = 60_000 });
            var pageSeen = watch.Elapsed;
            var drawnAt = double.Parse((await page.Locator("#kpis").GetAttributeAsync("data-refreshed-at"))!, CultureInfo.InvariantCulture);
            var asOf = await page.Locator("#kpis").GetAttributeAsync("data-as-of");
            load.Stop();
            var sent = await running;
            await stop.CancelAsync();
            await sampler;

            // The page shows exactly the API's figure, which is the figure before plus the order.
            Assert.Equal(shown, await page.Locator("#kpis li.kpi[data-kpi=gmv] .kpi-value").TextContentAsync());
            Assert.Equal(expected, await GmvAsync(api, from!, to!));
            Assert.Equal(to, asOf);

            Log(string.Create(CultureInfo.InvariantCulture,
                $"steady ingest: {sent.Events:N0} events in {sent.Batches:N0} batches over {sent.Elapsed.TotalSeconds:F1} s = {sent.Events / sent.Elapsed.TotalSeconds:N0} events/s; " +
                $"POST /v1/events median {sent.Median:F0} ms, max {sent.Max:F0} ms, rejected {sent.Failed}"));
            var appends = refreshes.Where(r => r.Kind == "append").ToList();
            if (appends.Count > 0)
            {
                var ms = appends.Select(r => r.Elapsed.TotalMilliseconds).Order().ToList();
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"index appends seen while sampling: {appends.Count} (of {refreshes.Count} refreshes), median {ms[ms.Count / 2]:F0} ms, max {ms[^1]:F0} ms; " +
                    $"ingests per append median {appends.Select(r => r.Ingests).Order().ElementAt(appends.Count / 2)}, max {appends.Max(r => r.Ingests)}"));
            }
            Log(string.Create(CultureInfo.InvariantCulture,
                $"freshness: order committed {committed.TotalMilliseconds:F0} ms after posting; GET /v1/metrics had it {apiLag.TotalMilliseconds:F0} ms after posting; " +
                $"the page drew it {drawnAt - postedAt:F0} ms after posting (its data-refreshed-at; the test saw it at {pageSeen.TotalMilliseconds:F0} ms); " +
                $"the test's own GET /v1/metrics was answered 429 (query slots busy) {Volatile.Read(ref _busy)} times and retried"));
        }
        finally
        {
            load.Stop();
            await stop.CancelAsync();
            try
            {
                await running;
                await sampler;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Waits for the page's first full draw and gives its time from navigation start, in ms.</summary>
    private static async Task<double> RenderedAtAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('overview:rendered').length > 0", null, new() { Timeout = 120_000 });
        return await page.EvaluateAsync<double>("() => performance.getEntriesByName('overview:rendered')[0].startTime");
    }

    private static async Task AssertGmvEqualsApiAsync(IPage page, HttpClient api)
    {
        var note = page.Locator("#range-note");
        var gmv = await GmvAsync(api, (await note.GetAttributeAsync("data-from"))!, (await note.GetAttributeAsync("data-to"))!);
        Assert.Equal(Money(gmv), await page.Locator("#kpis li.kpi[data-kpi=gmv] .kpi-value").TextContentAsync());
    }

    private static int _busy;

    /// <summary>The API's GMV for the range. A 429 (all query slots taken, as the page's refreshes hold them while they wait
    /// for the index to take in the ingest) is retried after its Retry-After, as a client should; the count is logged.</summary>
    private static async Task<decimal> GmvAsync(HttpClient api, string from, string to)
    {
        var deadline = Stopwatch.StartNew();
        HttpResponseMessage response;
        while ((response = await api.GetAsync($"/v1/metrics?from={from}&to={to}&compare=previous")).StatusCode == HttpStatusCode.TooManyRequests
               && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Interlocked.Increment(ref _busy);
            response.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        using var _ = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await Json.ReadAsync(response);
        Assert.Equal("CNY", report.GetProperty("currency").GetString());
        return report.GetProperty("rows")[0].GetProperty("gmv").GetDecimal();
    }

    private static string Money(decimal yuan) => (yuan < 0 ? "-" : "") + "¥" + Math.Abs(yuan).ToString("N2", CultureInfo.InvariantCulture);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// Posts a batch every period without waiting for the previous one to answer (at most 16 in flight), so the offered rate
    /// stays steady when a request is slow; page views dated on the data's last day, three in four by known customers.
    /// </summary>
    private sealed class SteadyIngest(HttpClient client, LiveConsoleServer server, int batch, TimeSpan every) : IDisposable
    {
        private readonly ConcurrentBag<double> _latencies = [];
        private readonly CancellationTokenSource _stop = new();
        private int _batches;
        private int _failed;

        public sealed record Sent(long Events, int Batches, TimeSpan Elapsed, double Median, double Max, int Failed);

        public void Stop() => _stop.Cancel();

        public void Dispose() => _stop.Dispose();

        public async Task WaitForBatchesAsync(int count, CancellationToken ct)
        {
            while (Volatile.Read(ref _batches) < count)
            {
                if (Volatile.Read(ref _failed) > 0) throw new InvalidOperationException("a POST /v1/events was refused");
                await Task.Delay(50, ct);
            }
        }

        public async Task<Sent> RunAsync(CancellationToken ct)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            var random = new Random(7);
            var dayStart = new DateTimeOffset(server.DataEnd.ToDateTime(TimeOnly.MinValue), LiveConsoleServer.Offset);
            var inFlight = new List<Task>();
            var watch = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(every);
            var n = 0L;
            var issued = 0L;
            try
            {
                while (await timer.WaitForNextTickAsync(linked.Token))
                {
                    // Batches fall due by the clock, not by the ticks seen: a late tick sends the ones it missed.
                    inFlight.RemoveAll(t => t.IsCompleted);
                    var due = (long)(watch.Elapsed / every) - issued;
                    for (; due > 0 && inFlight.Count < 16; due--, issued++)
                    {
                        var body = new StringBuilder("{\"events\":[");
                        for (var i = 0; i < batch; i++, n++)
                        {
                            if (i > 0) body.Append(',');
                            var who = random.Next(4) == 0
                                ? $"\"anonymous_id\":\"live-anon-{random.Next(20_000)}\""
                                : $"\"customer_id\":\"c{random.Next(server.Customers)}\"";
                            var time = dayStart.AddSeconds(random.Next(8 * 3600)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
                            body.Append(CultureInfo.InvariantCulture,
                                $"{{\"event_id\":\"live-{n}\",\"type\":\"page_view\",\"time\":\"{time}\",{who},\"channel\":\"{SyntheticYear.Channels[random.Next(SyntheticYear.Channels.Length)]}\"}}");
                        }
                        body.Append("]}");
                        inFlight.Add(PostAsync(body.ToString()));
                    }
                    if (due > 0) issued += due; // more than 16 requests behind: those batches are dropped, and the rate logged shows it
                }
            }
            catch (OperationCanceledException)
            {
            }
            var elapsed = watch.Elapsed;
            await Task.WhenAll(inFlight);
            var latencies = _latencies.Order().ToList();
            return new Sent((long)_batches * batch, _batches, elapsed, latencies.Count == 0 ? 0 : latencies[latencies.Count / 2], latencies.LastOrDefault(), _failed);
        }

        private async Task PostAsync(string body)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));
            _latencies.Add(watch.Elapsed.TotalMilliseconds);
            if (response.IsSuccessStatusCode) Interlocked.Increment(ref _batches);
            else Interlocked.Increment(ref _failed);
        }
    }
}
