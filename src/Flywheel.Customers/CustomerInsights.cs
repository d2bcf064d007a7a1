using Flywheel.Customers.Contracts;
using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Clv;
using Flywheel.Customers.Lifecycle;
using Flywheel.Customers.Rfm;
using Flywheel.Customers.Segments;
using Flywheel.Storage;

namespace Flywheel.Customers;

/// <summary>
/// The derived facts about customers that other modules ask for by customer: RFM segment and scores, lifecycle stage,
/// CLV and P(alive) from the latest stored fit. Each is computed over the whole customer base (RFM quintiles and the
/// store's rhythm are relative to everyone) and cached per index and day, so a segment evaluation over a few touched
/// customers does not recompute them. Thread-safe.
/// </summary>
internal sealed class CustomerInsights(Func<EventIndex?>? currentIndex = null)
{
    private readonly Lock _gate = new();
    private (EventIndex Index, DateOnly Day, RfmResult Rfm)? _rfm;
    private (EventIndex Index, DateOnly Day, Dictionary<string, LifecycleState> States)? _stages;
    private volatile ClvFit? _fit;

    /// <summary>The CLV fit predictions use (the latest stored one; see <see cref="LoadFitAsync"/>).</summary>
    public ClvFit? Fit
    {
        get => _fit;
        set => _fit = value;
    }

    public async Task LoadFitAsync(FlywheelStore store, CancellationToken ct) => _fit = await ClvService.LatestAsync(store, ct);

    /// <summary>RFM as of a day over a 365-day window, quintiles.</summary>
    public RfmResult Rfm(EventIndex index, DateOnly day)
    {
        lock (_gate)
            if (_rfm is { } cached && ReferenceEquals(cached.Index, index) && cached.Day == day) return cached.Rfm;
        var result = RfmEngine.Run(index, new RfmQuery(day)).Value;
        lock (_gate) _rfm = (index, day, result);
        return result;
    }

    /// <summary>Lifecycle stages as of a day, with P(alive) from the fit when there is one.</summary>
    public IReadOnlyDictionary<string, LifecycleState> Stages(EventIndex index, DateOnly day)
    {
        lock (_gate)
            if (_stages is { } cached && ReferenceEquals(cached.Index, index) && cached.Day == day) return cached.States;
        var states = LifecycleEngine.Run(index, day, PAliveOf(index, day)).ToDictionary(s => s.CustomerId, StringComparer.Ordinal);
        lock (_gate) _stages = (index, day, states);
        return states;
    }

    /// <summary>P(alive) per visitor from the fit, or null without a fit.</summary>
    public Func<int, double?>? PAliveOf(EventIndex index, DateOnly day)
    {
        var fit = _fit;
        if (fit is null) return null;
        return v => ClvService.Predict(index, fit, index.VisitorKeys[v], day).TryGetValue(out var p, out _) ? p.PAlive : null;
    }

    /// <summary>A customer's CLV prediction from the fit (52 periods, 10% a year), or null without a fit or an order.</summary>
    public ClvPrediction? Clv(EventIndex index, string customerId, DateOnly day) =>
        _fit is { } fit && ClvService.Predict(index, fit, customerId, day).TryGetValue(out var p, out _) ? p : null;

    /// <summary>
    /// Registers rfm_segment, rfm_r, rfm_f, rfm_m, lifecycle_stage, clv and p_alive in a segment field registry. They are
    /// computed over the whole index the process holds (<c>currentIndex</c>), not the slice an incremental evaluation
    /// sees, so scores relative to everyone stay right.
    /// </summary>
    public void RegisterFields(FieldRegistry fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        EventIndex Whole(FieldContext c) => currentIndex?.Invoke() ?? c.Index;
        RfmScore? Score(FieldContext c, int i) => Rfm(Whole(c), c.Today).Of(c.CustomerId(i));
        fields.Register("rfm_segment", SegmentType.Text, "RFM segment as of today over a year: champions, loyal, potential_loyalist, new, promising, need_attention, about_to_sleep, at_risk, cant_lose, hibernating, lost (none: no order in a year)",
            c => SegmentColumn.Texts(c, i => Score(c, i)?.Segment.Code ?? "none"), FieldSources.Orders | FieldSources.Time,
            [.. RfmSegments.All.Select(s => s.Code), "none"]);
        fields.Register("rfm_r", SegmentType.Number, "RFM recency score 1-5 (null: no order in a year)", c => SegmentColumn.Numbers(c, i => Score(c, i)?.R), FieldSources.Orders | FieldSources.Time);
        fields.Register("rfm_f", SegmentType.Number, "RFM frequency score 1-5", c => SegmentColumn.Numbers(c, i => Score(c, i)?.F), FieldSources.Orders | FieldSources.Time);
        fields.Register("rfm_m", SegmentType.Number, "RFM monetary score 1-5", c => SegmentColumn.Numbers(c, i => Score(c, i)?.M), FieldSources.Orders | FieldSources.Time);
        fields.Register("lifecycle_stage", SegmentType.Text, "Lifecycle stage today: prospect, new, active, at_risk, lapsed, churned, reactivated",
            c => SegmentColumn.Texts(c, i => Stages(Whole(c), c.Today).GetValueOrDefault(c.CustomerId(i))?.Stage ?? LifecycleStages.Prospect),
            FieldSources.Orders | FieldSources.Time, LifecycleStages.All);
        fields.Register("clv", SegmentType.Money, "Predicted CLV over the next 52 periods of the latest CLV fit, discounted 10% a year (null: no fit or no order)",
            c => SegmentColumn.Money(c, i => Clv(Whole(c), c.CustomerId(i), c.Today)?.Clv), FieldSources.Orders | FieldSources.Time | FieldSources.External);
        fields.Register("p_alive", SegmentType.Number, "Probability the customer is still active, from the latest CLV fit (null: no fit or no order)",
            c => SegmentColumn.Numbers(c, i => Clv(Whole(c), c.CustomerId(i), c.Today)?.PAlive), FieldSources.Orders | FieldSources.Time | FieldSources.External);
    }
}
