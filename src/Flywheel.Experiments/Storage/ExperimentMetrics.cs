using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Contracts;
using Flywheel.Experiments.Domain.Metrics;
using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage;
using NodaTime;

namespace Flywheel.Experiments.Storage;

/// <summary>
/// What to measure of an experiment: its unit ("customer": exposures are keyed by customer id; "anonymous": by anonymous id, stitched
/// to customers through Analytics' identity links), the window after each unit's first exposure in days (1..366), the metrics (keys of
/// <see cref="MetricCatalog"/>; empty: all), the as-of time (Unix ms; null: the end of the data, i.e. the latest paid order, event or
/// exposure in the store), whether to compute daily looks, and the arms' order (null: "control" first, then the others in ordinal order;
/// given: those variants in that order, arms without units kept, then any other variant exposed).
/// </summary>
internal sealed record MetricsRequest(string ExperimentKey, string Unit, int WindowDays, IReadOnlyList<string> Metrics, long? AsOf = null, bool Daily = false,
    IReadOnlyList<string>? Variants = null);

/// <summary>
/// An experiment's measured arms. <see cref="AsOf"/> is the time used (Unix ms, inclusive) and <see cref="AsOfIsDataEnd"/> whether it was
/// the default; each of <see cref="Metrics"/> lists its arms in <see cref="Variants"/>' order (and its daily looks when asked);
/// <see cref="Totals"/> are per arm in the same order. Units exposed after the as-of time are left out (<see cref="UnitsExposedAfterAsOf"/>);
/// <see cref="UnitsWithoutCustomer"/> counts counted units with no known customer (anonymous units not stitched): they count, with no outcomes.
/// </summary>
internal sealed record ExperimentMetricsResult(
    string ExperimentKey,
    string Unit,
    int WindowDays,
    long AsOf,
    bool AsOfIsDataEnd,
    string TimeZone,
    IReadOnlyList<string> Variants,
    IReadOnlyList<MetricArms> Metrics,
    IReadOnlyList<ArmTotals> Totals,
    long UnitsExposedAfterAsOf,
    long UnitsWithoutCustomer);

/// <summary>
/// Reads an experiment's exposures (its own table) and its units' outcomes (Ingestion's paid orders, Customers' consent withdrawals,
/// Analytics' identity links, each through its contract) and hands them to <see cref="MetricAggregator"/>. One pass: the exposures,
/// then the orders and withdrawals of the exposed customers from the earliest pre-period to the as-of time.
/// </summary>
internal static class ExperimentMetrics
{
    public const string CustomerUnit = "customer";
    public const string AnonymousUnit = "anonymous";

    /// <summary>The most daily looks one read gives (about three years).</summary>
    public const int MaxLooks = 1_100;

    /// <summary>The same as <see cref="ReadAsync(FlywheelStore, MetricsRequest, CancellationToken)"/>, arms in the default order.</summary>
    public static Task<Result<ExperimentMetricsResult>> ReadAsync(FlywheelStore store, string experimentKey, string unit, int windowDays,
        IReadOnlyList<string> metrics, long? asOf, bool daily, CancellationToken ct) =>
        ReadAsync(store, new MetricsRequest(experimentKey, unit, windowDays, metrics, asOf, daily), ct);

    /// <summary>
    /// Measures the experiment. Errors: an empty key, an unknown unit or metric, a window outside 1..366 days, an as-of time outside the
    /// supported days (1970..2087), more than <see cref="MaxLooks"/> daily looks (invalid, naming the field); an unknown experiment (not found).
    /// </summary>
    public static async Task<Result<ExperimentMetricsResult>> ReadAsync(FlywheelStore store, MetricsRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.ExperimentKey)) return Error.Invalid("experiment", "give the experiment's key");
        if (request.Unit is not (CustomerUnit or AnonymousUnit))
            return Error.Invalid("unit", $"'{request.Unit}' is not a unit: use {CustomerUnit} or {AnonymousUnit}");
        if (request.WindowDays is < 1 or > MetricAggregator.MaxWindowDays)
            return Error.Invalid("window_days", $"{request.WindowDays} is not a window: give 1 to {MetricAggregator.MaxWindowDays} days");
        var metrics = new List<MetricDefinition>();
        var requested = request.Metrics ?? [];
        for (var i = 0; i < requested.Count; i++)
        {
            if (MetricCatalog.Find(requested[i] ?? "") is not { } metric)
                return Error.Invalid($"metrics[{i}]", $"unknown metric '{requested[i]}': one of {string.Join(", ", MetricCatalog.All.Select(m => m.Key))}");
            if (!metrics.Contains(metric)) metrics.Add(metric);
        }
        if (requested.Count == 0) metrics.AddRange(MetricCatalog.All);
        long earliest = ToMs(LocalCalendar.EarliestDay), latest = ToMs(LocalCalendar.LatestDay.AddDays(1)) - 1;
        if (request.AsOf is { } given && (given < earliest || given > latest))
            return Error.Invalid("as_of", $"{given} is outside the supported times (Unix ms {earliest}..{latest}, days {LocalCalendar.EarliestDay:yyyy-MM-dd}..{LocalCalendar.LatestDay:yyyy-MM-dd})");

        var exposures = await ReadExposuresAsync(store, request.ExperimentKey, ct);
        if (exposures is null) return Error.NotFound("experiment", $"no experiment '{request.ExperimentKey}'");

        var asOf = request.AsOf ?? await DataEndAsync(store, exposures, ct);
        var zoneId = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var counted = exposures.Where(e => e.ExposedAt <= asOf).ToList();
        if (request.Daily && counted.Count > 0)
        {
            var looks = Day(zone, asOf) - Day(zone, counted.Min(e => e.ExposedAt)) + 1;
            if (looks > MaxLooks)
                return Error.Invalid("daily", $"the exposures and the as-of time span {looks} days; daily looks cover at most {MaxLooks}: give a later start or an earlier as_of");
        }

        // Unit → customer: a customer unit is its own customer; an anonymous one is its identity link's, if any.
        var customerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Unit == CustomerUnit)
            foreach (var e in counted) customerOf[e.UnitId] = e.UnitId;
        else
            foreach (var (anonymousId, link) in await IdentityLookups.LinkedAsync(store, counted.Select(e => e.UnitId).ToList(), ct))
                customerOf[anonymousId] = link.CustomerId;

        var orders = new Dictionary<string, List<UnitOrder>>(StringComparer.Ordinal);
        var withdrawals = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        if (counted.Count > 0 && customerOf.Count > 0)
        {
            var customers = customerOf.Values.ToHashSet(StringComparer.Ordinal);
            var from = counted.Min(e => e.ExposedAt) - request.WindowDays * 86_400_000L;
            foreach (var o in await OrderOutcomes.OfCustomersAsync(store, customers, from, asOf, ct))
                (orders.TryGetValue(o.CustomerId, out var list) ? list : orders[o.CustomerId] = []).Add(
                    new UnitOrder(o.PaidAt, o.TotalPaid, o.Discount, o.Items, o.Refunded, o.RefundedAt, o.RefundAmount));
            foreach (var w in await ConsentWithdrawals.MarketingAsync(store, customers, from, asOf, ct))
                (withdrawals.TryGetValue(w.CustomerId, out var list) ? list : withdrawals[w.CustomerId] = []).Add(w.At);
        }

        var units = new List<ExposedUnit>(exposures.Count);
        long withoutCustomer = 0;
        foreach (var e in exposures)
        {
            var customer = customerOf.GetValueOrDefault(e.UnitId);
            if (customer is null && e.ExposedAt <= asOf) withoutCustomer++;
            units.Add(new ExposedUnit(e.UnitId, e.Variant, e.ExposedAt,
                customer is not null && orders.TryGetValue(customer, out var o) ? o : [],
                customer is not null && withdrawals.TryGetValue(customer, out var w) ? w : []));
        }
        var computed = MetricAggregator.Compute(units, metrics, request.WindowDays, asOf, zone, request.Daily, request.Variants);
        return new ExperimentMetricsResult(request.ExperimentKey, request.Unit, request.WindowDays, asOf, request.AsOf is null, zone.Id, computed.Variants,
            computed.Metrics, computed.Totals, computed.UnitsExposedAfterAsOf, request.Unit == AnonymousUnit ? withoutCustomer : 0);
    }

    private sealed record Exposure(string UnitId, string Variant, long ExposedAt);

    /// <summary>The experiment's exposures, or null when there is no such experiment.</summary>
    private static async Task<List<Exposure>?> ReadExposuresAsync(FlywheelStore store, string key, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using (var exists = connection.CreateCommand())
        {
            exists.CommandText = "SELECT COUNT(*) FROM experiments WHERE experiment_key = @key";
            exists.AddParameter("@key", key);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == 0) return null;
        }
        var result = new List<Exposure>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT unit_id, variant, exposed_at FROM experiment_exposures WHERE experiment_key = @key";
        command.AddParameter("@key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(new Exposure(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return result;
    }

    /// <summary>
    /// The end of the data: the latest paid order, event or exposure (an exposure recorded after the imported history still counts);
    /// the clock's now for a store with none.
    /// </summary>
    private static async Task<long> DataEndAsync(FlywheelStore store, List<Exposure> exposures, CancellationToken ct)
    {
        long? end = exposures.Count == 0 ? null : exposures.Max(e => e.ExposedAt);
        foreach (var last in new[] { await OrderOutcomes.LastPaidAtAsync(store, ct), await EventTimes.LastAsync(store, ct) })
            if (last is { } l) end = Math.Max(end ?? long.MinValue, l);
        return end ?? store.Time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    private static int Day(DateTimeZone zone, long ms) => Instant.FromUnixTimeMilliseconds(ms).InZone(zone).Date.ToDateOnly().DayNumber;

    private static long ToMs(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
