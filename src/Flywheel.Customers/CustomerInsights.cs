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
/// store's rhythm are relative to everyone) and cached per index and day (and fit), so a segment evaluation over a few
/// touched customers does not recompute them. P(alive) comes from one pass over the index's orders for every
/// customer's (x, t_x, T) and the closed form per customer, not from a CLV prediction per customer. Thread-safe.
/// </summary>
internal sealed class CustomerInsights(Func<EventIndex?>? currentIndex = null)
{
    private readonly Lock _gate = new();
    private (EventIndex Index, DateOnly Day, RfmResult Rfm)? _rfm;
    private (EventIndex Index, DateOnly Day, FitKey? Fit, Dictionary<string, LifecycleState> States)? _stages;
    private (EventIndex Index, DateOnly Day, FitKey Fit, double[] PAlive)? _pAlive;
    private (EventIndex Index, DateOnly Day, FitKey Fit, long?[] Clv)? _clv;
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

    /// <summary>Lifecycle stages as of a day, with P(alive) from the fit when there is one (cached per index, day and fit).</summary>
    public IReadOnlyDictionary<string, LifecycleState> Stages(EventIndex index, DateOnly day)
    {
        var fit = _fit;
        var key = fit is null ? (FitKey?)null : FitKey.Of(fit);
        lock (_gate)
            if (_stages is { } cached && ReferenceEquals(cached.Index, index) && cached.Day == day && cached.Fit == key) return cached.States;
        var states = LifecycleEngine.Run(index, day, PAliveOf(index, day, fit)).ToDictionary(s => s.CustomerId, StringComparer.Ordinal);
        lock (_gate) _stages = (index, day, key, states);
        return states;
    }

    /// <summary>P(alive) per visitor from the fit, or null without a fit (see <see cref="PAlives"/>).</summary>
    public Func<int, double?>? PAliveOf(EventIndex index, DateOnly day) => PAliveOf(index, day, _fit);

    private Func<int, double?>? PAliveOf(EventIndex index, DateOnly day, ClvFit? fit)
    {
        if (fit is null) return null;
        var values = PAlives(index, day, fit);
        return v => double.IsNaN(values[v]) ? null : values[v];
    }

    /// <summary>
    /// P(alive) as of a day by index visitor, from the fit (NaN: an anonymous visitor or a customer with no paid order by
    /// then), or null without a fit. The same numbers as <see cref="Clv"/>'s <see cref="ClvPrediction.PAlive"/>, computed
    /// for everyone at once: the customers' summaries in one pass over the index (<see cref="ClvSummaries.ByVisitor"/>)
    /// and BG/NBD's closed form for each. Cached per index, day and fit (its id, unit and parameters).
    /// </summary>
    public double[]? PAlives(EventIndex index, DateOnly day) => _fit is { } fit ? PAlives(index, day, fit) : null;

    private double[] PAlives(EventIndex index, DateOnly day, ClvFit fit)
    {
        ArgumentNullException.ThrowIfNull(index);
        var key = FitKey.Of(fit);
        lock (_gate)
            if (_pAlive is { } cached && ReferenceEquals(cached.Index, index) && cached.Day == day && cached.Fit == key) return cached.PAlive;
        var model = fit.BgNbd.Model;
        var values = new double[index.VisitorCount];
        Array.Fill(values, double.NaN);
        ClvSummaries.ByVisitor(index, day, fit.Unit, (v, s) => values[v] = model.PAlive(s.X, s.Tx, s.T));
        lock (_gate) _pAlive = (index, day, key, values);
        return values;
    }

    /// <summary>
    /// Every customer's CLV as of a day by index visitor (the prediction's <see cref="ClvPrediction.Clv"/>: 52 periods, 10 % a
    /// year; null for anonymous visitors and customers without a paid order by then), or null without a fit. Computed for
    /// everyone at once from one pass over the index's orders, in parallel, and cached per index, day and fit: RFM's average
    /// CLV per segment and the <c>clv</c> segment field read it instead of predicting customer by customer on every call.
    /// </summary>
    public long?[]? Clvs(EventIndex index, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (_fit is not { } fit) return null;
        var key = FitKey.Of(fit);
        lock (_gate)
            if (_clv is { } cached && ReferenceEquals(cached.Index, index) && cached.Day == day && cached.Fit == key) return cached.Clv;
        var model = fit.Model;
        var values = new long?[index.VisitorCount];
        ClvSummaries.ByVisitor(index, day, fit.Unit,
            (v, s) => values[v] = ClvModel.ToMinorUnits(model.Clv(s, ClvService.DefaultHorizon, ClvService.DefaultDiscountRate)));
        lock (_gate) _clv = (index, day, key, values);
        return values;
    }

    /// <summary>What P(alive) depends on in a fit: a new fit (or a reloaded one with other parameters) is another key.</summary>
    private readonly record struct FitKey(long Id, ClvUnit Unit, BgNbdModel Model)
    {
        public static FitKey Of(ClvFit fit) => new(fit.Id, fit.Unit, fit.BgNbd.Model);
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
            c =>
            {
                var whole = Whole(c);
                var all = Clvs(whole, c.Today);
                var same = ReferenceEquals(whole, c.Index);
                return SegmentColumn.Money(c, i => all is null ? null : (same ? c.Visitor(i) : whole.FindVisitor(c.CustomerId(i))) is var v and >= 0 ? all[v] : null);
            }, FieldSources.Orders | FieldSources.Time | FieldSources.External);
        fields.Register("p_alive", SegmentType.Number, "Probability the customer is still active, from the latest CLV fit (null: no fit or no order)",
            PAliveColumn, FieldSources.Orders | FieldSources.Time | FieldSources.External);

        NumberColumn PAliveColumn(FieldContext c)
        {
            var whole = Whole(c);
            var values = new double[c.Count];
            if (PAlives(whole, c.Today) is not { } alive)
            {
                Array.Fill(values, double.NaN);
                return new NumberColumn(values);
            }
            // Over the whole index the evaluation's visitors are the whole index's; over a slice, look the customers up.
            var same = ReferenceEquals(whole, c.Index);
            for (var i = 0; i < values.Length; i++)
            {
                var v = same ? c.Visitor(i) : whole.FindVisitor(c.CustomerId(i));
                values[i] = v < 0 ? double.NaN : alive[v];
            }
            return new NumberColumn(values);
        }
    }
}
