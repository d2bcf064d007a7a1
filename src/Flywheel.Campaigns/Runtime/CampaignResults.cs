using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;

namespace Flywheel.Campaigns.Runtime;

/// <summary>One variant's outcome: customers who entered, how many paid an order within the attribution window, and the revenue.</summary>
internal sealed record VariantResult(string Variant, bool Holdout, long Entered, long Converted, long Revenue, double ConversionRate);

/// <summary>
/// Lift of a variant over the holdout: the difference in conversion rate (percentage points) with a 95% confidence interval
/// (normal approximation to the difference of two proportions), and the relative lift. Significant when the interval excludes 0.
/// </summary>
internal sealed record Lift(string Variant, double DifferencePoints, double LowPoints, double HighPoints, double? RelativePercent, bool Significant);

/// <summary>One step's messages: the store's counts plus conversions (a paid order within the window after delivery) and revenue.</summary>
internal sealed record StepResult(string StepId, string? Variant, long Sent, long Delivered, long Failed, long Dead, long Suppressed, long HeldOut,
    long Cancelled, long Opened, long Clicked, long Converted, long Revenue, long Unsubscribed);

/// <summary>A journey's or broadcast's results; <see cref="Experiment"/> is the experiment it names (the console links to its page), or null.</summary>
internal sealed record CampaignReport(string SourceKind, string SourceId, TimeSpan AttributionWindow, IReadOnlyList<VariantResult> Variants,
    IReadOnlyList<StepResult> Steps, IReadOnlyList<Lift> Lifts, string? Experiment = null);

/// <summary>
/// Results per journey (or broadcast), step and variant: entered, sent, delivered, failed, opened, clicked, converted, revenue,
/// unsubscribes, and lift against the holdout (a broadcast's messages are its one step, <see cref="BroadcastStep"/>). Conversions are computed from the orders table at report time, so a late
/// payment counts as soon as it is imported.
/// </summary>
internal static class CampaignResults
{
    /// <summary>The step a broadcast's messages are reported under: a broadcast is one send.</summary>
    public const string BroadcastStep = "send";

    public static async Task<Result<CampaignReport>> ComputeAsync(FlywheelStore store, CampaignStore campaigns, string sourceKind, string sourceId,
        TimeSpan window, CancellationToken ct)
    {
        var stats = await campaigns.StatsAsync(sourceKind, sourceId, ct);
        if (!stats.TryGetValue(out var rows, out var error)) return error;
        var w = (long)window.TotalMilliseconds;

        // Conversions by variant: for journeys over entries (holdout included), for broadcasts over messages (held_out included).
        var variants = new Dictionary<string, (long Entered, long Converted, long Revenue, bool Holdout)>(StringComparer.Ordinal);
        var steps = new Dictionary<(string Step, string? Variant), (long Converted, long Revenue, long Unsubscribed)>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sourceKind == "journey"
                ? "SELECT COALESCE(e.variant, ''), e.exit_reason = 'holdout', COUNT(*), " +
                  "SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = e.customer_id AND o.paid_at >= e.entered_at AND o.paid_at < e.entered_at + @w) THEN 1 ELSE 0 END), " +
                  "COALESCE(SUM((SELECT COALESCE(SUM(o.total_paid - o.refund_amount), 0) FROM orders o WHERE o.customer_id = e.customer_id AND o.paid_at >= e.entered_at AND o.paid_at < e.entered_at + @w)), 0) " +
                  "FROM journey_entries e WHERE e.journey_id = @id GROUP BY COALESCE(e.variant, ''), e.exit_reason = 'holdout'"
                : "SELECT COALESCE(m.variant, ''), m.status = 'held_out', COUNT(*), " +
                  "SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.customer_id AND o.paid_at >= m.due_at AND o.paid_at < m.due_at + @w) THEN 1 ELSE 0 END), " +
                  "COALESCE(SUM((SELECT COALESCE(SUM(o.total_paid - o.refund_amount), 0) FROM orders o WHERE o.customer_id = m.customer_id AND o.paid_at >= m.due_at AND o.paid_at < m.due_at + @w)), 0) " +
                  "FROM messages m WHERE m.source_kind = 'broadcast' AND m.source_id = @id AND m.status IN ('delivered', 'held_out') GROUP BY COALESCE(m.variant, ''), m.status = 'held_out'";
            command.AddParameter("@id", sourceId);
            command.AddParameter("@w", w);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                var holdout = !reader.IsDBNull(1) && Convert.ToBoolean(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                var key = holdout && name.Length == 0 ? "holdout" : name.Length == 0 ? "all" : name;
                var prev = variants.GetValueOrDefault(key);
                variants[key] = (checked(prev.Entered + reader.GetInt64(2)), checked(prev.Converted + reader.GetInt64(3)), checked(prev.Revenue + reader.GetInt64(4)), prev.Holdout || holdout);
            }
        }
        await using (var command = connection.CreateCommand())
        {
            // A broadcast's messages have no step: they are its one step, "send".
            var step = sourceKind == "broadcast" ? "COALESCE(m.step_id, '" + BroadcastStep + "')" : "m.step_id";
            command.CommandText =
                "SELECT " + step + ", m.variant, " +
                "SUM(CASE WHEN m.delivered_at IS NOT NULL AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.customer_id AND o.paid_at >= m.delivered_at AND o.paid_at < m.delivered_at + @w) THEN 1 ELSE 0 END), " +
                "COALESCE(SUM(CASE WHEN m.delivered_at IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(o.total_paid - o.refund_amount), 0) FROM orders o WHERE o.customer_id = m.customer_id AND o.paid_at >= m.delivered_at AND o.paid_at < m.delivered_at + @w) END), 0), " +
                "SUM(CASE WHEN EXISTS (SELECT 1 FROM consent_history h WHERE h.customer_id = m.customer_id AND h.status = 'withdrawn' AND h.source = 'unsubscribe_link:' || m.idempotency_key) THEN 1 ELSE 0 END) " +
                "FROM messages m WHERE m.source_kind = @kind AND m.source_id = @id" + (sourceKind == "broadcast" ? "" : " AND m.step_id IS NOT NULL") +
                " GROUP BY " + step + ", m.variant";
            command.AddParameter("@kind", sourceKind);
            command.AddParameter("@id", sourceId);
            command.AddParameter("@w", w);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                steps[(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }

        var variantResults = variants.OrderBy(v => v.Value.Holdout).ThenBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => new VariantResult(v.Key, v.Value.Holdout, v.Value.Entered, v.Value.Converted, v.Value.Revenue,
                v.Value.Entered == 0 ? 0 : (double)v.Value.Converted / v.Value.Entered)).ToList();
        var stepResults = rows.Where(r => r.StepId is not null || sourceKind == "broadcast").Select(r =>
        {
            var stepId = r.StepId ?? BroadcastStep;
            var extra = steps.GetValueOrDefault((stepId, r.Variant));
            return new StepResult(stepId, r.Variant, r.Delivered + r.Failed + r.Dead, r.Delivered, r.Failed, r.Dead, r.Suppressed, r.HeldOut, r.Cancelled,
                r.Opened, r.Clicked, extra.Converted, extra.Revenue, extra.Unsubscribed);
        }).ToList();
        var lifts = new List<Lift>();
        if (variantResults.FirstOrDefault(v => v.Holdout) is { Entered: > 0 } control)
            foreach (var v in variantResults.Where(v => !v.Holdout && v.Entered > 0))
                lifts.Add(LiftOf(v, control));
        return new CampaignReport(sourceKind, sourceId, window, variantResults, stepResults, lifts, await ExperimentOfAsync(campaigns, sourceKind, sourceId, ct));
    }

    /// <summary>The experiment the journey's or broadcast's stored definition names, or null.</summary>
    private static async Task<string?> ExperimentOfAsync(CampaignStore campaigns, string sourceKind, string sourceId, CancellationToken ct)
    {
        if (sourceKind == "journey")
            return await campaigns.GetJourneyAsync(sourceId, ct) is { } j && Journeys.JourneyJson.Parse(j.DefinitionJson).TryGetValue(out var journey, out _)
                ? journey.Experiment : null;
        return await campaigns.GetBroadcastAsync(sourceId, ct) is { } b && Broadcasts.BroadcastDefinition.Parse(b.DefinitionJson).TryGetValue(out var broadcast, out _)
            ? broadcast.Experiment : null;
    }

    /// <summary>Difference of two proportions with a 95% normal-approximation interval.</summary>
    public static Lift LiftOf(VariantResult treatment, VariantResult control)
    {
        var p1 = treatment.ConversionRate;
        var p0 = control.ConversionRate;
        var se = Math.Sqrt(p1 * (1 - p1) / treatment.Entered + p0 * (1 - p0) / control.Entered);
        var diff = p1 - p0;
        const double z = 1.959963984540054;
        var low = diff - z * se;
        var high = diff + z * se;
        return new Lift(treatment.Variant, diff * 100, low * 100, high * 100, p0 > 0 ? diff / p0 * 100 : null, low > 0 || high < 0);
    }
}
