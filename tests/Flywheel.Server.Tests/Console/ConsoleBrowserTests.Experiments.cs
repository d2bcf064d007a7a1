using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flywheel.Experiments.Storage;
using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// Issue 16's Experiments page: the list equals GET /v1/experiments, and the demo's experiment d11_sms_copy (the past SMS broadcast
/// run as two texts and a holdout) equals GET /v1/experiments/d11_sms_copy/results — the variants' exposure, one section per metric
/// with its interval chart's points, p-values, the sequential test and the verdict, and the incrementality over the holdout — in both
/// languages; an experiment whose exposures are lopsided shows the sample-ratio warning.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    private static string ExperimentCount(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string ExperimentFen(long fen) => (fen < 0 ? "-" : "") + "¥" + (Math.Abs(fen) / 100m).ToString("N2", CultureInfo.InvariantCulture);

    private static string ExperimentPercent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string ExperimentP(JsonElement p) => p.ValueKind == JsonValueKind.Null ? "—"
        : p.GetDouble() < 0.0001 ? "<0.0001" : p.GetDouble().ToString("F4", CultureInfo.InvariantCulture);

    private const string AccentPixels = """
        canvas => { const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data; let n = 0;
                    for (let i = 0; i < d.length; i += 4) if (d[i] === 0x1d && d[i + 1] === 0x4e && d[i + 2] === 0xd8) n++; return n; }
        """;

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    [Fact]
    public async Task Experiments_ListAndTheDemoExperimentsResultsEqualTheApis_InBothLanguages()
    {
        var (page, key) = await SignInAsync(Roles.Analyst);
        using var api = server.ApiClient(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "A/B 实验" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("A/B 实验");
        var list = await GetJsonAsync(api, "/v1/experiments");
        var demo = list.EnumerateArray().Single(e => e.GetProperty("key").GetString() == "d11_sms_copy");
        var exposures = demo.GetProperty("exposures").GetInt64();
        Assert.True(exposures > 0, "the demo broadcast's recipients are the experiment's exposures");
        Assert.Equal(exposures, demo.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("exposures").GetInt64()));
        await Assertions.Expect(page.Locator("#experiments-table tbody tr")).ToHaveCountAsync(list.GetArrayLength());
        var row = page.Locator("#experiments-table tbody tr[data-key=d11_sms_copy]");
        await Assertions.Expect(row.Locator("[data-column=exposures]")).ToHaveTextAsync(ExperimentCount(exposures));
        await Assertions.Expect(row.Locator("[data-column=status]")).ToHaveTextAsync(new Dictionary<string, string>
            { ["draft"] = "草稿", ["running"] = "进行中", ["stopped"] = "已结束" }[demo.GetProperty("status").GetString()!]);
        await Assertions.Expect(row.Locator("[data-column=variants]")).ToHaveTextAsync(
            string.Join(" / ", demo.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("key").GetString())));

        await row.Locator("[data-column=name] a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/experiments/d11_sms_copy$"));
        var results = await GetJsonAsync(api, "/v1/experiments/d11_sms_copy/results");
        Assert.Equal("d11_sms_copy", results.GetProperty("key").GetString());
        Assert.True(results.GetProperty("impact").GetArrayLength() > 0, "the demo experiment has a holdout, so an incrementality table");
        await AssertExperimentEqualsApiAsync(page, results, english: false);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "experiments-zh.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await AssertExperimentEqualsApiAsync(page, results, english: true);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "experiments-en.png"), FullPage = true });
        await page.GetByRole(AriaRole.Link, new() { Name = "← All experiments" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Experiments");
        await Assertions.Expect(page.Locator("#experiments-table tbody tr[data-key=d11_sms_copy] [data-column=status]"))
            .ToHaveTextAsync(new Dictionary<string, string> { ["draft"] = "Draft", ["running"] = "Running", ["stopped"] = "Stopped" }[demo.GetProperty("status").GetString()!]);
        await page.GetByRole(AriaRole.Button, new() { Name = "切换到中文" }).ClickAsync();
    }

    private static async Task AssertExperimentEqualsApiAsync(IPage page, JsonElement r, bool english)
    {
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync($"{r.GetProperty("name").GetString()} ({r.GetProperty("key").GetString()})");
        await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#experiment-summary")).ToContainTextAsync(r.GetProperty("as_of").GetString()!);

        // The variants with their exposure against the split they should have.
        var variants = r.GetProperty("variants");
        await Assertions.Expect(page.Locator("#variants-table tbody tr")).ToHaveCountAsync(variants.GetArrayLength());
        foreach (var v in variants.EnumerateArray())
        {
            var row = page.Locator($"#variants-table tbody tr[data-key='{v.GetProperty("key").GetString()}']");
            await Assertions.Expect(row.Locator("[data-column=units]")).ToHaveTextAsync(ExperimentCount(v.GetProperty("units").GetInt64()));
            await Assertions.Expect(row.Locator("[data-column=weight]")).ToHaveTextAsync(ExperimentCount(v.GetProperty("weight").GetInt32()));
            await Assertions.Expect(row.Locator("[data-column=expected_share]")).ToHaveTextAsync(ExperimentPercent(v.GetProperty("expected_share").GetDouble()));
            if (Number(v.GetProperty("share")) is { } share) await Assertions.Expect(row.Locator("[data-column=share]")).ToHaveTextAsync(ExperimentPercent(share));
            if (v.GetProperty("holdout").GetBoolean())
                await Assertions.Expect(row.Locator("[data-column=role]")).ToHaveTextAsync(english ? "Holdout (gets nothing)" : "对照组（不触达）");
        }
        Assert.True(variants.EnumerateArray().Sum(v => v.GetProperty("units").GetInt64()) > 0);
        await Assertions.Expect(page.Locator("#srm-note")).ToContainTextAsync(ExperimentP(r.GetProperty("srm").GetProperty("p_value")));
        await Assertions.Expect(page.Locator("#srm-warning")).ToHaveCountAsync(r.GetProperty("srm").GetProperty("warning").GetBoolean() ? 1 : 0);

        // One section per metric, in the API's order, each with its interval chart and its comparisons.
        var metrics = r.GetProperty("metrics");
        Assert.True(metrics.GetArrayLength() > 0);
        Assert.Equal(metrics.EnumerateArray().Select(m => m.GetProperty("name").GetString()!),
            await page.Locator("section[data-metric]").EvaluateAllAsync<string[]>("s => s.map(e => e.dataset.metric)"));
        var roles = english
            ? new Dictionary<string, string> { ["primary"] = "Primary", ["secondary"] = "Secondary", ["guardrail"] = "Guardrail" }
            : new Dictionary<string, string> { ["primary"] = "主要指标", ["secondary"] = "次要指标", ["guardrail"] = "护栏指标" };
        var verdicts = english
            ? new Dictionary<string, string> { ["better"] = "Better", ["worse"] = "Worse", ["inconclusive"] = "Inconclusive" }
            : new Dictionary<string, string> { ["better"] = "更好", ["worse"] = "更差", ["inconclusive"] = "尚无定论" };
        foreach (var m in metrics.EnumerateArray())
        {
            var name = m.GetProperty("name").GetString()!;
            var section = page.Locator($"section[data-metric='{name}']");
            await Assertions.Expect(section).ToHaveAttributeAsync("data-role", m.GetProperty("role").GetString()!);
            await Assertions.Expect(section.Locator("h2").First).ToHaveTextAsync(
                $"{m.GetProperty(english ? "label_en" : "label_zh").GetString()} · {roles[m.GetProperty("role").GetString()!]}");

            var comparisons = m.GetProperty("results").EnumerateArray().ToList();
            Assert.NotEmpty(comparisons);
            var relative = comparisons.All(c => c.GetProperty("relative").ValueKind != JsonValueKind.Null);
            var chart = section.Locator($"#metric-{name}-chart");
            await Assertions.Expect(chart).ToHaveAttributeAsync("role", "img");
            var points = JsonDocument.Parse((await chart.GetAttributeAsync("data-points"))!).RootElement.EnumerateArray().ToList();
            Assert.Equal(comparisons.Count, points.Count);
            for (var i = 0; i < comparisons.Count; i++)
            {
                var effect = comparisons[i].GetProperty(relative ? "relative" : "absolute");
                Assert.Equal(comparisons[i].GetProperty("variant").GetString(), points[i].GetProperty("name").GetString());
                Assert.Equal(Number(effect.GetProperty("effect")), Number(points[i].GetProperty("effect")));
                Assert.Equal(Number(effect.GetProperty("ci_low")), Number(points[i].GetProperty("low")));
                Assert.Equal(Number(effect.GetProperty("ci_high")), Number(points[i].GetProperty("high")));
            }
            // The chart is drawn, not just described: the intervals' accent blue (#1d4ed8) is on its canvas when an interval has a width
            // (a zero-width interval, e.g. no refunds in either arm, is a point: its caps alone may be a handful of pixels under the dot).
            await Assertions.Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
            if (points.Any(p => p.GetProperty("low").ValueKind == JsonValueKind.Number && p.GetProperty("high").ValueKind == JsonValueKind.Number
                                && p.GetProperty("high").GetDouble() > p.GetProperty("low").GetDouble()))
                Assert.True(await chart.Locator("canvas").EvaluateAsync<int>(AccentPixels) > 20, $"{name}: no interval drawn");

            await Assertions.Expect(section.Locator("tbody tr")).ToHaveCountAsync(comparisons.Count);
            foreach (var c in comparisons)
            {
                var row = section.Locator($"tbody tr[data-key='{c.GetProperty("variant").GetString()}']");
                await Assertions.Expect(row.Locator("[data-column=p_value]")).ToHaveTextAsync(ExperimentP(c.GetProperty("absolute").GetProperty("p_value")));
                await Assertions.Expect(row.Locator("[data-column=adjusted_p_value]")).ToHaveTextAsync(ExperimentP(c.GetProperty("adjusted_p_value")));
                var chance = c.GetProperty("bayesian").GetProperty("chance_to_win");
                await Assertions.Expect(row.Locator("[data-column=chance_to_win]")).ToHaveTextAsync(
                    chance.ValueKind == JsonValueKind.Null ? "—" : ExperimentPercent(chance.GetDouble()));
                var sequential = c.GetProperty("sequential");
                var expected = sequential.GetProperty("significant").GetBoolean()
                    ? (english ? "significant since " : "") + sequential.GetProperty("valid_since").GetString() + (english ? "" : " 起显著")
                    : sequential.GetProperty("p_value").ValueKind == JsonValueKind.Null ? (english ? "too few units to test yet" : "样本不足，尚未开始检验")
                    : english ? $"not yet significant (p = {ExperimentP(sequential.GetProperty("p_value"))})" : $"尚未显著（p = {ExperimentP(sequential.GetProperty("p_value"))}）";
                await Assertions.Expect(row.Locator("[data-column=sequential]")).ToHaveTextAsync(expected);
                await Assertions.Expect(row.Locator("[data-column=verdict]")).ToHaveTextAsync(verdicts[c.GetProperty("verdict").GetString()!]);
            }
        }

        // Against the holdout: incremental orders and GMV (fen shown as yuan) with their intervals, and GMV per yuan of extra discount.
        var impact = r.GetProperty("impact");
        await Assertions.Expect(page.Locator("#impact-table tbody tr")).ToHaveCountAsync(impact.GetArrayLength());
        foreach (var i in impact.EnumerateArray())
        {
            var row = page.Locator($"#impact-table tbody tr[data-key='{i.GetProperty("variant").GetString()}']");
            await Assertions.Expect(row.Locator("[data-column=treated_units]")).ToHaveTextAsync(ExperimentCount(i.GetProperty("treated_units").GetInt64()));
            var orders = i.GetProperty("orders");
            await Assertions.Expect(row.Locator("[data-column=orders]")).ToHaveTextAsync(
                $"{ExperimentCount(orders.GetProperty("effect").GetInt64())} [{ExperimentCount(orders.GetProperty("low").GetInt64())}, {ExperimentCount(orders.GetProperty("high").GetInt64())}]");
            var gmv = i.GetProperty("gmv");
            await Assertions.Expect(row.Locator("[data-column=gmv]")).ToHaveTextAsync(
                $"{ExperimentFen(gmv.GetProperty("effect").GetInt64())} [{ExperimentFen(gmv.GetProperty("low").GetInt64())}, {ExperimentFen(gmv.GetProperty("high").GetInt64())}]");
            await Assertions.Expect(row.Locator("[data-column=incremental_discount]")).ToHaveTextAsync(ExperimentFen(i.GetProperty("incremental_discount").GetInt64()));
            static string F2(JsonElement e) => e.GetDouble().ToString("F2", CultureInfo.InvariantCulture);
            await Assertions.Expect(row.Locator("[data-column=per_yuan]")).ToHaveTextAsync(i.GetProperty("gmv_per_yuan").ValueKind == JsonValueKind.Null
                ? i.GetProperty("reason").GetString() ?? "—"
                : $"{F2(i.GetProperty("gmv_per_yuan"))} [{F2(i.GetProperty("gmv_per_yuan_low"))}, {F2(i.GetProperty("gmv_per_yuan_high"))}]");
        }
    }

    /// <summary>An experiment split 50/50 whose exposures came 900 to 100: the page warns (role alert) that the results cannot be trusted.</summary>
    [Fact]
    public async Task Experiments_LopsidedExposures_ShowTheSampleRatioWarning()
    {
        var (page, key) = await SignInAsync(Roles.Marketer);
        using var api = server.ApiClient(key);
        const string definition = """
            {"key": "srm_console", "name": "SRM 检查", "unit": "customer",
             "variants": [{"key": "control", "name": "原版", "weight": 50}, {"key": "b", "name": "新版", "weight": 50}],
             "traffic": 1.0, "window_days": 7, "confidence": 0.95, "metrics": {"primary": "conversion"}}
            """;
        using (var created = await api.PostAsync("/v1/experiments", new StringContent(definition, Encoding.UTF8, "application/json")))
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var experiments = new ExperimentStore(server.Store);
        var at = (await GetJsonAsync(api, "/v1/experiments/d11_sms_copy/results")).GetProperty("as_of").GetString()!;
        // Exposed on the last day of the data (the results' as-of), so every exposure counts.
        var exposedAt = DateTimeOffset.Parse(at + "T12:00:00+08:00", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        for (var i = 0; i < 1000; i++)
            await experiments.RecordExposureAsync("srm_console", $"srm-{i}", i < 900 ? "control" : "b", "test", exposedAt, CancellationToken.None);
        var results = await GetJsonAsync(api, "/v1/experiments/srm_console/results");
        Assert.True(results.GetProperty("srm").GetProperty("warning").GetBoolean(), results.GetProperty("srm").ToString());

        await page.EvaluateAsync("() => { location.hash = '#/experiments/srm_console'; }");
        var warning = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(warning).ToHaveAttributeAsync("id", "srm-warning");
        await Assertions.Expect(warning).ToContainTextAsync("样本比例失衡");
        await Assertions.Expect(warning).ToContainTextAsync(ExperimentP(results.GetProperty("srm").GetProperty("p_value")));
        await Assertions.Expect(page.Locator("#variants-table tbody tr[data-key=control] [data-column=units]")).ToHaveTextAsync("900");
        await Assertions.Expect(page.Locator("#variants-table tbody tr[data-key=b] [data-column=units]")).ToHaveTextAsync("100");
        // Without a holdout there is no incrementality table.
        await Assertions.Expect(page.Locator("#impact-table")).ToHaveCountAsync(0);
    }
}
