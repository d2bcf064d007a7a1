using Flywheel.Ingestion.Demo;
using Flywheel.Storage;
using Flywheel.Storage.Queries;
using Flywheel.Tests;

namespace Flywheel.Ingestion.Tests.Demo;

public sealed class DemoStoreGeneratorTests
{
    // 18:00 in Shanghai on 2026-11-20: a 200-day window reaches back to early May, covering 618 and 双11.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8));

    private static async Task<FlywheelStore> DemoAsync(string engine, DemoOptions options)
    {
        var clock = new TestClock(Now);
        var store = await TestStores.OpenAsync(engine, clock);
        await DemoStoreGenerator.GenerateAsync(store, options, clock, null, CancellationToken.None);
        return store;
    }

    /// <summary>Row counts of every table plus sums that move if any time, amount or id changes.</summary>
    private static async Task<string> FingerprintAsync(FlywheelStore store)
    {
        var parts = new List<string> { await TestStores.SnapshotAsync(store) };
        foreach (var sql in new[]
                 {
                     "SELECT SUM(total_paid) FROM orders",
                     "SELECT SUM(placed_at % 1000003) FROM orders",
                     "SELECT SUM(time % 1000003) FROM events",
                     "SELECT COUNT(DISTINCT COALESCE(customer_id, anonymous_id)) FROM events",
                     "SELECT SUM(cost) FROM ad_spend",
                     "SELECT SUM(cost) FROM content_posts",
                     "SELECT COUNT(*) FROM customer_consents WHERE status = 'withdrawn'",
                 })
            parts.Add(Convert.ToString(await TestStores.ScalarAsync(store, sql), System.Globalization.CultureInfo.InvariantCulture)!);
        return string.Join(" | ", parts);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_SameSeed_BuildsIdenticalStores(string engine)
    {
        var options = new DemoOptions(Customers: 300, Days: 60, Seed: 7);
        using var first = await DemoAsync(engine, options);
        using var second = await DemoAsync(engine, options);
        using var other = await DemoAsync(engine, options with { Seed = 8 });

        var a = await FingerprintAsync(first);
        Assert.Equal(a, await FingerprintAsync(second));
        Assert.NotEqual(a, await FingerprintAsync(other));
        var gmv = (await StoreOverview.QueryAsync(first, null, null, CancellationToken.None)).Gmv;
        Assert.Equal(gmv, (await StoreOverview.QueryAsync(second, null, null, CancellationToken.None)).Gmv);
        Assert.NotEqual(gmv, (await StoreOverview.QueryAsync(other, null, null, CancellationToken.None)).Gmv);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_LaterTheSameDay_OnlyAddsTheTail(string engine)
    {
        var options = new DemoOptions(Customers: 200, Days: 30, Seed: 9);
        var morning = new TestClock(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(8)));
        var evening = new TestClock(new DateTimeOffset(2026, 11, 20, 21, 0, 0, TimeSpan.FromHours(8)));
        using var early = await TestStores.OpenAsync(engine, morning);
        using var late = await TestStores.OpenAsync(engine, evening);
        await DemoStoreGenerator.GenerateAsync(early, options, morning, null, CancellationToken.None);
        await DemoStoreGenerator.GenerateAsync(late, options, evening, null, CancellationToken.None);

        // An hour before the morning run's instant both stores hold the same events, ids and all. (Closer to it, a
        // purchase the morning run saw as still in progress is complete in the evening one.)
        var cut = morning.GetUtcNow().AddHours(-1).ToUnixTimeMilliseconds();
        var sql = $"SELECT COUNT(*), SUM(time % 1000003), MIN(event_id), MAX(event_id), SUM(COALESCE(value, 0)) FROM events WHERE time < {cut}";
        Assert.Equal(await RowAsync(early, sql), await RowAsync(late, sql));
        Assert.True(await TestStores.CountAsync(late, "events") > await TestStores.CountAsync(early, "events"));
        Assert.Equal(await RowAsync(early, "SELECT COUNT(*), MIN(signup_at), SUM(signup_at % 1000003) FROM customers WHERE signup_at < " + (cut - 1)),
            await RowAsync(late, "SELECT COUNT(*), MIN(signup_at), SUM(signup_at % 1000003) FROM customers WHERE signup_at < " + (cut - 1)));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_WindowCovering618AndDouble11_ShowsFestivalLift(string engine)
    {
        using var store = await DemoAsync(engine, new DemoOptions(Customers: 600, Days: 200, Seed: 42));

        var views = await PerDayAsync(store, "SELECT time FROM events WHERE type = 'page_view'");
        var orders = await PerDayAsync(store, $"SELECT paid_at FROM orders WHERE status IN ({StoreOverview.PaidStatuses})");
        var september = Enumerable.Range(1, 30).Select(d => new DateOnly(2026, 9, d)).ToArray();
        double Mean(Dictionary<DateOnly, int> counts, IEnumerable<DateOnly> days) => days.Average(d => counts.GetValueOrDefault(d));

        var normalViews = Mean(views, september);
        Assert.True(views[new DateOnly(2026, 11, 11)] > 4 * normalViews, $"双11 page views {views[new DateOnly(2026, 11, 11)]} vs September mean {normalViews:0.0}");
        Assert.True(views[new DateOnly(2026, 6, 18)] > 3 * normalViews, $"618 page views {views[new DateOnly(2026, 6, 18)]} vs September mean {normalViews:0.0}");

        var normalOrders = Mean(orders, september);
        var double11 = Mean(orders, Enumerable.Range(1, 11).Select(d => new DateOnly(2026, 11, d)));
        Assert.True(double11 > 1.8 * normalOrders, $"orders per day Nov 1-11 {double11:0.0} vs September {normalOrders:0.0}");
        // The customer base is still small in June (customers join through the window), so 618 is measured against
        // the three weeks after it rather than against September.
        var after618 = Mean(orders, Enumerable.Range(0, 21).Select(d => new DateOnly(2026, 6, 22).AddDays(d)));
        var on618 = orders.GetValueOrDefault(new DateOnly(2026, 6, 18));
        Assert.True(on618 > 2.5 * after618, $"orders on 6-18 {on618} vs per day Jun 22-Jul 12 {after618:0.0}");

        // Weekends out-draw weekdays.
        var weekend = views.Where(kv => kv.Key.Month == 9 && kv.Key.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Average(kv => kv.Value);
        var weekday = views.Where(kv => kv.Key.Month == 9 && kv.Key.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday).Average(kv => kv.Value);
        Assert.True(weekend > weekday, $"September weekend page views {weekend:0.0} vs weekday {weekday:0.0}");
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_SmallStore_IsConsistent(string engine)
    {
        using var store = await DemoAsync(engine, new DemoOptions(Customers: 300, Days: 60, Seed: 3));
        async Task<long> Count(string sql) => Convert.ToInt64(await TestStores.ScalarAsync(store, sql));

        // Orders only reference catalogue products and named customers; nothing was created bare.
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM order_lines l WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = l.sku)"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM products WHERE category = 'uncategorized' OR brand IS NULL OR cost IS NULL OR store IS NULL"));
        Assert.InRange(await Count("SELECT COUNT(*) FROM products"), 300, 600);
        Assert.Equal(3, await Count("SELECT COUNT(DISTINCT store) FROM products"));
        Assert.Equal(300, await Count("SELECT COUNT(*) FROM customers WHERE name IS NOT NULL AND city_tier IS NOT NULL AND signup_at IS NOT NULL"));
        Assert.Equal(300, await Count("SELECT COUNT(*) FROM customers"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM orders WHERE channel IS NULL OR store IS NULL"));

        // Nothing happens after the clock's now.
        var now = Now.ToUnixTimeMilliseconds();
        Assert.Equal(0, await Count($"SELECT COUNT(*) FROM events WHERE time >= {now}"));
        Assert.Equal(0, await Count($"SELECT COUNT(*) FROM orders WHERE placed_at >= {now} OR paid_at >= {now} OR shipped_at >= {now} OR completed_at >= {now} OR refunded_at >= {now}"));
        Assert.Equal(0, await Count($"SELECT COUNT(*) FROM events WHERE time < {Now.AddDays(-60).ToUnixTimeMilliseconds()}"));

        // The funnel narrows; every paid order has its order_paid event with the order's value.
        var paid = await Count($"SELECT COUNT(*) FROM orders WHERE status IN ({StoreOverview.PaidStatuses})");
        Assert.True(paid > 0);
        Assert.Equal(paid, await Count("SELECT COUNT(*) FROM events WHERE type = 'order_paid'"));
        Assert.Equal(await Count($"SELECT SUM(total_paid) FROM orders WHERE status IN ({StoreOverview.PaidStatuses})"),
            await Count("SELECT SUM(value) FROM events WHERE type = 'order_paid'"));
        var views = await Count("SELECT COUNT(*) FROM events WHERE type = 'product_view'");
        var carts = await Count("SELECT COUNT(*) FROM events WHERE type = 'add_to_cart'");
        var checkouts = await Count("SELECT COUNT(*) FROM events WHERE type = 'begin_checkout'");
        Assert.True(views > carts && carts > checkouts && checkouts > paid, $"views {views}, carts {carts}, checkouts {checkouts}, paid {paid}");
        Assert.True(await Count("SELECT COUNT(*) FROM orders WHERE status IN ('cancelled', 'refunded', 'partially_refunded')") > 0);

        // Anonymous visitors count in UV; some were identified and their earlier events stitched.
        Assert.True(await Count("SELECT COUNT(*) FROM events WHERE customer_id IS NULL") > 0);
        Assert.True(await Count("SELECT COUNT(*) FROM identity_links") > 0);
        Assert.True(await Count("SELECT COUNT(*) FROM events e JOIN identity_links l ON l.anonymous_id = e.anonymous_id WHERE e.type = 'page_view' AND e.customer_id = l.customer_id AND e.time < l.linked_at") > 0);
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM events e JOIN identity_links l ON l.anonymous_id = e.anonymous_id WHERE e.customer_id IS NULL"));

        // KOL traffic points at real posts; spend only for paid channels.
        Assert.True(await Count("SELECT COUNT(*) FROM events WHERE kol_id IS NOT NULL") > 0);
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM events e WHERE e.kol_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM content_posts p WHERE p.post_id = e.content AND p.kol_id = e.kol_id)"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM ad_spend WHERE channel IN ('wechat', 'email', 'sms')"));
        Assert.Equal(8, await Count("SELECT COUNT(DISTINCT channel) FROM ad_spend"));
        Assert.Equal(11, await Count("SELECT COUNT(DISTINCT channel) FROM events"));
        Assert.True(await Count("SELECT COUNT(*) FROM customer_consents WHERE status = 'withdrawn'") > 0);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Generate_RecordsParameters(string engine)
    {
        using var store = await DemoAsync(engine, new DemoOptions(Customers: 100, Days: 30, Seed: 11));

        var json = await store.GetSettingAsync(DemoStoreGenerator.SettingsKey, "", CancellationToken.None);
        var parameters = DemoParameters.FromJson(json)!;
        Assert.Equal((11, 100, 30), (parameters.Seed, parameters.Customers, parameters.Days));
        Assert.Equal(("2026-10-22", "2026-11-20"), (parameters.FirstDay, parameters.LastDay));
        Assert.Equal(new BgNbdParameters(0.2, 4.0, 0.8, 2.5, "week"), parameters.BgNbd);
        Assert.Equal((6.0, 3.5, 90.0), (parameters.GammaGamma.P, parameters.GammaGamma.Q, parameters.GammaGamma.Gamma));
        Assert.Contains("\"bg_nbd\"", json, StringComparison.Ordinal);
        Assert.Contains("\"alpha\": 4", json, StringComparison.Ordinal);
        if (store.Location.DataFolder is { } folder)
            Assert.Equal(json, (await File.ReadAllTextAsync(Path.Combine(folder, DemoStoreGenerator.ParametersFileName))).TrimEnd('\n'));
    }

    [Fact]
    public async Task Generate_Year_RepurchaseRateIsRealistic()
    {
        using var store = await DemoAsync(TestStores.Sqlite, new DemoOptions(Customers: 3000, Days: 365, Seed: 5));

        var o = await StoreOverview.QueryAsync(store, null, null, CancellationToken.None);

        Assert.InRange(o.RepurchaseRate!.Value, 0.20, 0.35);
        Assert.InRange(o.Buyers, 1500, 2100);
        Assert.InRange(o.Cvr!.Value, 0.02, 0.06);
        Assert.InRange(o.Aov!.Value, 15_000, 40_000);
        Assert.InRange(o.Roi!.Value, 3, 15);
    }

    [Theory]
    [InlineData(0, 365)]
    [InlineData(10, 3)]
    [InlineData(10, 5000)]
    public void Options_OutOfBounds_AreInvalid(int customers, int days) =>
        Assert.False(new DemoOptions(customers, days).Validate().IsSuccess);

    private static async Task<string> RowAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return string.Join(" | ", values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<Dictionary<DateOnly, int>> PerDayAsync(FlywheelStore store, string sql)
    {
        var counts = new Dictionary<DateOnly, int>();
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)).ToOffset(TimeSpan.FromHours(8)).DateTime);
            counts[day] = counts.GetValueOrDefault(day) + 1;
        }
        return counts;
    }
}
