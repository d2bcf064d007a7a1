using Flywheel.Hosting.Access;
using Microsoft.Playwright;

namespace Flywheel.Server.Tests.Console;

/// <summary>
/// Issue 14's "accessibility basics checked in the browser tests" and "a viewer sees no write actions and masked personal data",
/// across every page of the navigation: labels and names, table captions and header scopes, WCAG AA contrast computed in the page,
/// and the keyboard path from the top of the page to the page's first control with a visible focus indicator.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    /// <summary>
    /// Runs in the page; returns one line per problem. Contrast: the text colour (with the element's opacity) over its effective
    /// background (the ancestors' background colours composited down to the body's, white under that), WCAG 2 relative luminance;
    /// 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Disabled controls are exempt (WCAG 1.4.3) and charts are canvases.
    /// </summary>
    private const string AuditScript = """
        () => {
          const found = [];
          let checked = 0;
          let lowest = null;
          const describe = (e) => {
            const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '';
            const text = (e.matches('input, select, textarea') ? e.value : e.textContent) ?? '';
            return `<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls}> "${text.trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
          };
          const shown = (e) => {
            const s = getComputedStyle(e);
            const r = e.getBoundingClientRect();
            return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
          };
          const byIds = (ids) => (ids ?? '').split(/\s+/).some((id) => id && document.getElementById(id)?.textContent.trim());
          const named = (e) => (e.labels?.length ?? 0) > 0 || (e.getAttribute('aria-label') ?? '').trim() !== '' || byIds(e.getAttribute('aria-labelledby'));

          for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea'))
            if (!named(e)) found.push('no label: ' + describe(e));
          for (const e of document.querySelectorAll('button, a'))
            if (!named(e) && !e.textContent.trim() && !(e.title ?? '').trim()) found.push('no accessible name: ' + describe(e));
          for (const table of document.querySelectorAll('table')) {
            if (!table.caption?.textContent.trim()) found.push('no caption: ' + describe(table));
            for (const th of table.querySelectorAll('th'))
              if (!['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))) found.push('th without scope: ' + describe(th));
          }

          const rgba = (text) => {
            const srgb = /color\(srgb ([^)]+)\)/.exec(text);
            if (srgb) {
              const p = srgb[1].split(/[\s\/]+/).filter(Boolean).map(Number);
              return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
            }
            const m = /rgba?\(([^)]+)\)/.exec(text);
            if (!m) return null;
            const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
            return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
          };
          const over = (top, bottom) => {
            const a = top[3] + bottom[3] * (1 - top[3]);
            return a === 0 ? [0, 0, 0, 0] : [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat(a);
          };
          const white = [255, 255, 255, 1];
          const bodyBg = rgba(getComputedStyle(document.body).backgroundColor) ?? [0, 0, 0, 0];
          const pageBg = over(bodyBg, white);
          const background = (e) => {
            const layers = [];
            for (let n = e; n && n !== document.body && n !== document.documentElement; n = n.parentElement) {
              const c = rgba(getComputedStyle(n).backgroundColor);
              if (c && c[3] > 0) {
                layers.push(c);
                if (c[3] >= 1) break;
              }
            }
            return layers.reduceRight((below, layer) => over(layer, below), pageBg);
          };
          const luminance = (c) => {
            const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const ratio = (a, b) => {
            const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
            return (hi + 0.05) / (lo + 0.05);
          };
          const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
          const check = (e, colour, style, what) => {
            let opacity = 1;
            for (let n = e; n; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
            if (opacity === 0) return; // visually hidden (e.g. a radio drawn by its label)
            const fg0 = rgba(colour);
            if (!fg0) { found.push(`unreadable colour ${colour}: ${describe(e)}`); return; }
            const bg = background(e);
            const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacity], bg);
            const size = parseFloat(style.fontSize);
            const bold = Number(style.fontWeight) >= 700;
            const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
            const r = ratio(fg, bg);
            checked++;
            if (!lowest || r / need < lowest.margin) lowest = { margin: r / need, text: `${r.toFixed(2)}:1 (needs ${need}) ${describe(e)} ${hex(fg)} on ${hex(bg)}` };
            if (r < need) found.push(`contrast ${r.toFixed(2)}:1 < ${need}:1 ${what}: ${describe(e)} ${hex(fg)} on ${hex(bg)} (${size}px${bold ? ' bold' : ''})`);
          };
          for (const e of document.body.querySelectorAll('*')) {
            if (e.closest('canvas, svg, script, style, option, :disabled, [aria-disabled=true]')) continue;
            const control = e.matches('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea');
            const text = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            if (!(control || text) || !shown(e)) continue;
            const style = getComputedStyle(e);
            if (text || (control && e.value)) check(e, style.color, style, 'text');
            if (control && e.placeholder && !e.value) check(e, getComputedStyle(e, '::placeholder').color, style, 'placeholder');
          }
          return { found, checked, lowest: lowest?.text ?? '' };
        }
        """;

    /// <summary>What the focused element is and whether its focus shows (an outline, or a box-shadow; a radio drawn by its label shows on the label).</summary>
    private const string FocusScript = """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const hidden = Number(getComputedStyle(e).opacity) === 0 && e.labels?.length;
          const shown = hidden ? e.labels[0] : e;
          const s = getComputedStyle(shown);
          const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
          const main = document.getElementById('main');
          const tabbable = [...main.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]
            .filter((c) => !c.disabled && c.tabIndex >= 0 && (c.type !== 'radio' || c.checked) && c.getClientRects().length > 0);
          return {
            key: e.id || e.dataset.page || (e.classList.contains('skip') ? 'skip' : e.tagName.toLowerCase()),
            inMain: main.contains(e),
            firstInMain: tabbable[0] === e,
            visible: !!visible,
            style: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} / ${s.boxShadow}`,
          };
        }
        """;

    private sealed record Focus(string Key, bool InMain, bool FirstInMain, bool Visible, string Style);

    /// <summary>Every view of every page, as admin (who is offered everything): how to open it and what shows it has rendered.</summary>
    private static readonly (string Name, Func<IPage, Task> Open)[] Views =
    [
        ("overview", p => OpenAsync(p, "#/overview", "#kpis li.kpi")),
        ("channels", p => OpenAsync(p, "#/channels", "#channels-table")),
        ("funnel", async p =>
        {
            await OpenAsync(p, "#/funnel", "#funnel-builder");
            await p.Locator("#funnel-run").ClickAsync(); // a built funnel shows its table and, to an admin, the save form
            await Assertions.Expect(p.Locator("#funnel-save")).ToBeVisibleAsync();
        }),
        ("cohorts", p => OpenAsync(p, "#/cohorts", "#cohorts-table")),
        ("customers", async p =>
        {
            await OpenAsync(p, "#/customers", "#rfm-grid");
            // The grid keeps its own centred shades: the Cohorts page's heat classes once restyled it (scoped since).
            Assert.Equal("center", await p.Locator("#rfm-grid td.heat").First.EvaluateAsync<string>("c => getComputedStyle(c).textAlign"));
            Assert.Equal("rgb(30, 58, 138)", await p.EvaluateAsync<string>("""
                () => { const c = document.querySelector('#rfm-grid tbody tr').appendChild(document.createElement('td'));
                        c.className = 'heat heat-5'; try { return getComputedStyle(c).backgroundColor; } finally { c.remove(); } }
                """));
        }),
        ("customers-segments", p => OpenAsync(p, "#/customers?view=segments", "#segments-table")),
        ("customers-persona", p => OpenAsync(p, "#/customers?view=persona&segment=champions", "main table")),
        ("customers-members", p => OpenAsync(p, "#/customers?segment=champions", "#members-table")),
        ("customer-profile", async p =>
        {
            await p.Locator("#members-table tbody a").First.ClickAsync();
            await Assertions.Expect(p.Locator("#profile-masking")).ToHaveCountAsync(1);
            await Assertions.Expect(p.Locator("main .loading")).ToHaveCountAsync(0);
        }),
        ("goals", p => OpenAsync(p, "#/goals", "#goals-table")),
        ("promotions", async p =>
        {
            await OpenAsync(p, "#/promotions", "#promotions-table");
            await p.Locator("#cart-run").ClickAsync();
            await Assertions.Expect(p.Locator("#cart-total")).ToBeVisibleAsync();
            await p.Locator("#draft-run").ClickAsync();
            await Assertions.Expect(p.Locator("#draft-summary")).ToBeVisibleAsync();
        }),
        ("journeys", p => OpenAsync(p, "#/journeys", "#journeys-table")),
        ("journey", async p =>
        {
            await p.Locator("#journeys-table tbody a").First.ClickAsync();
            await Assertions.Expect(p.Locator("#detail #stats-steps")).ToHaveCountAsync(1);
        }),
        ("broadcast", async p =>
        {
            await p.Locator("#broadcasts-table tbody a").First.ClickAsync();
            await Assertions.Expect(p.Locator("#detail[data-kind=broadcast] #stats-steps")).ToHaveCountAsync(1);
        }),
        ("matrix", p => OpenAsync(p, "#/matrix", "#next-yuan-table")),
        ("creators", p => OpenAsync(p, "#/creators", "#payouts-table")),
        ("content", p => OpenAsync(p, "#/content", "#keywords-table")),
        ("experiments", p => OpenAsync(p, "#/experiments", "#experiments-table")),
        ("experiment-detail", async p =>
        {
            await OpenAsync(p, "#/experiments/d11_sms_copy", "#variants-table");
            await Assertions.Expect(p.Locator("#impact-table")).ToHaveCountAsync(1);
            await Assertions.Expect(p.Locator("section[data-metric] .interval-chart canvas").First).ToBeVisibleAsync();
        }),
    ];

    private static async Task OpenAsync(IPage page, string hash, string rendered)
    {
        await page.EvaluateAsync("hash => { location.hash = hash; }", hash);
        var id = hash[2..].Split('?', '/')[0];
        await Assertions.Expect(page.Locator($"#nav a[data-page={id}]")).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(page.Locator(rendered).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task EveryPage_HasLabelsNamesCaptionsAndScopes_AndMeetsAaContrast(string lang)
    {
        var (page, _) = await SignInAsync(Roles.AdminRole);
        if (lang == "en")
        {
            await page.Locator("#lang").ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        }
        var pages = await page.Locator("#nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.page)");
        Assert.Equal(pages.Order(StringComparer.Ordinal), Views.Select(v => v.Name.Split('-')[0]).Where(n => n != "customer" && n != "journey" && n != "broadcast" && n != "experiment")
            .Distinct().Order(StringComparer.Ordinal)); // a page added to the navigation joins the views here

        // The audit finds what it looks for: a planted low-contrast, unlabelled input and a captionless table are reported.
        var planted = await page.EvaluateAsync<string[]>($$"""
            () => {
              const probe = document.createElement('div');
              const input = probe.appendChild(document.createElement('input'));
              Object.assign(input, { id: 'probe-input', value: 'x' });
              input.style.color = '#aaa'; // through the CSSOM: the console's CSP refuses inline style attributes
              const table = probe.appendChild(document.createElement('table'));
              table.id = 'probe-table';
              table.insertRow().appendChild(document.createElement('th')).textContent = 'h';
              document.getElementById('main').append(probe);
              try { return ({{AuditScript}})().found; } finally { probe.remove(); }
            }
            """);
        Assert.Contains(planted, p => p.StartsWith("no label: <input#probe-input>", StringComparison.Ordinal));
        Assert.Contains(planted, p => p.StartsWith("contrast 2.", StringComparison.Ordinal) && p.Contains("#probe-input", StringComparison.Ordinal));
        Assert.Contains(planted, p => p.StartsWith("no caption: <table#probe-table>", StringComparison.Ordinal));
        Assert.Contains(planted, p => p.StartsWith("th without scope", StringComparison.Ordinal));

        // The sign-in page too, with its error showing.
        var signIn = await server.NewPageAsync();
        await signIn.GotoAsync("/");
        if (lang == "en") await signIn.Locator("#lang").ClickAsync();
        await signIn.Locator("#key").FillAsync("fw_live_not-a-key");
        await signIn.Keyboard.PressAsync("Enter");
        await Assertions.Expect(signIn.Locator("#signin-error")).Not.ToBeEmptyAsync();

        var problems = new List<string>();
        var log = new List<string>();
        foreach (var (name, open) in Views.Prepend(("signin", _ => Task.CompletedTask)))
        {
            var audited = name == "signin" ? signIn : page;
            await open(audited);
            var audit = await audited.EvaluateAsync<System.Text.Json.JsonElement>(AuditScript);
            problems.AddRange(audit.GetProperty("found").EnumerateArray().Select(p => $"{name} ({lang}): {p.GetString()}"));
            log.Add($"{name}: {audit.GetProperty("checked").GetInt32()} text elements, lowest contrast against its need {audit.GetProperty("lowest").GetString()}");
        }
        await File.WriteAllLinesAsync(Path.Combine(Artifacts, $"accessibility-{lang}.txt"), log);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("overview")]
    [InlineData("channels")]
    [InlineData("funnel")]
    [InlineData("cohorts")]
    [InlineData("customers")]
    [InlineData("goals")]
    [InlineData("promotions")]
    [InlineData("journeys")]
    public async Task Tab_FromTheTop_ReachesSkipLinkLanguageNavigationAndThePagesFirstControl_EachWithAVisibleFocus(string id)
    {
        var (page, _) = await SignInAsync(Roles.AdminRole);
        // A fresh load of the page (going to the hash alone would only change the fragment), so that Tab starts from the top.
        await page.GotoAsync($"/#/{id}");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator($"#nav a[data-page={id}]")).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("main h1")).ToHaveCountAsync(1);
        var nav = await page.Locator("#nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.page)");

        var path = new List<Focus>();
        for (var i = 0; i < 30 && !(path.Count > 0 && path[^1].InMain); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<System.Text.Json.JsonElement?>(FocusScript) is { ValueKind: System.Text.Json.JsonValueKind.Object } f)
                path.Add(new Focus(f.GetProperty("key").GetString()!, f.GetProperty("inMain").GetBoolean(), f.GetProperty("firstInMain").GetBoolean(),
                    f.GetProperty("visible").GetBoolean(), f.GetProperty("style").GetString()!));
        }
        var keys = path.Select(f => f.Key).ToList();
        var trail = string.Join(" → ", path.Select(f => $"{f.Key} [{f.Style}]"));
        Assert.True(keys.Count > 0 && keys[0] == "skip", "the skip link comes first: " + trail);
        Assert.Contains("lang", keys);
        foreach (var link in nav) Assert.True(keys.Contains(link), $"nav link {link} reached: {trail}");
        Assert.True(path[^1].InMain && path[^1].FirstInMain, "Tab reaches the page's first control: " + trail);
        Assert.True(path.All(f => f.Visible), "every focused control shows its focus: " + trail);

        // The skip link moves focus to the page's content and keeps the page.
        await page.Locator("body").FocusAsync();
        await page.Locator("a.skip").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator($"#nav a[data-page={id}]")).ToHaveAttributeAsync("aria-current", "page");
    }

    /// <summary>
    /// The viewer reads reports only (Roles.Grants: reports:read). It has no customers:read, so the Customers page is not in its
    /// navigation and the profile API refuses it; the masking of personal data where customers are seen without personal:read is
    /// CustomerProfile_MasksPersonalDataForAnAnalyst_AndShowsItInClearToAMarketer (ConsoleBrowserTests.Customers.cs). Page by page
    /// the role tests say the same for one action each (Funnel_AsViewer_OffersNoSave, Promotions_WithoutCheckoutOrMarketingWrite_…,
    /// Journeys_WithoutMarketingWrite_…); this one walks every page the viewer can open and looks for any write at all.
    /// </summary>
    [Fact]
    public async Task Viewer_OnEveryPageItCanOpen_IsOfferedNoWriteAction_AndSeesNoPersonalData()
    {
        var (page, key) = await SignInAsync(Roles.Viewer);
        var nav = await page.Locator("#nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.page)");
        Assert.Equal(["overview", "channels", "funnel", "cohorts", "goals", "promotions", "journeys", "matrix", "creators", "content", "experiments"], nav);
        Assert.DoesNotContain("customers", nav); // the viewer has no customers:read
        Assert.False(Roles.Allows(Roles.Viewer, Permission.CustomersRead));
        Assert.False(Roles.Allows(Roles.Viewer, Permission.Checkout)); // so no cart simulator either
        Assert.False(Roles.Allows(Roles.Viewer, Permission.MarketingWrite));
        using var api = server.ApiClient(key);
        using (var profile = await api.GetAsync("/v1/customers/c1/profile"))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, profile.StatusCode);
        // Typing the customers route lands on a page the viewer may read, not on customers.
        await page.EvaluateAsync("() => { location.hash = '#/customers'; }");
        await Assertions.Expect(page.Locator("#rfm-grid, #segments-table, #profile-masking")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#nav a[aria-current=page]")).ToHaveAttributeAsync("data-page", "overview");

        var views = Views.Where(v => !v.Name.StartsWith("customer", StringComparison.Ordinal)).Select(v => v.Name switch
        {
            // As admin these views open the writes; the viewer opens the same pages and builds the funnel, nothing more.
            "funnel" => (v.Name, (Func<IPage, Task>)(async p =>
            {
                await OpenAsync(p, "#/funnel", "#funnel-builder");
                await p.Locator("#funnel-run").ClickAsync();
                await Assertions.Expect(p.Locator("#funnel-table")).ToBeVisibleAsync();
            })),
            "promotions" => (v.Name, (Func<IPage, Task>)(p => OpenAsync(p, "#/promotions", "#promotions-table"))),
            _ => v,
        });
        var problems = new List<string>();
        foreach (var (name, open) in views)
        {
            await open(page);
            // Reading forms only: the range, the funnel's, the cohorts' and the next yuan's questions. Buttons outside them sort or export.
            var offered = await page.EvaluateAsync<string[]>("""
                () => [
                  ...[...document.querySelectorAll('main form')].filter((f) => !['range', 'funnel-builder', 'cohorts-question', 'next-yuan-form'].includes(f.id))
                    .map((f) => 'form #' + f.id),
                  ...[...document.querySelectorAll('main button')].filter((b) => !b.closest('#range, #funnel-builder, #cohorts-question, #next-yuan-form, .export-bar')
                    && !b.classList.contains('sort')).map((b) => `button #${b.id} "${b.textContent.trim()}"`),
                  ...[...document.querySelectorAll('#funnel-save, #cart-form, #draft-form, #journey-status, #cart-run, #draft-run')].map((e) => 'write #' + e.id),
                ]
                """);
            problems.AddRange(offered.Select(o => $"{name}: {o}"));
            // No phone number or e-mail address in clear anywhere on the page.
            var text = await page.Locator("main").InnerTextAsync();
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"\b1[3-9]\d{9}\b|[\w.+-]+@[\w-]+\.[\w.]+"))
                problems.Add($"{name}: personal data in clear: {m.Value}");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "保存受众" })).ToHaveCountAsync(0);
    }
}
