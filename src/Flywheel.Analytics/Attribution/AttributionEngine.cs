using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Primitives;

namespace Flywheel.Analytics.Attribution;

/// <summary>How an order's GMV is spread over the touches on its path.</summary>
internal enum AttributionModel
{
    /// <summary>All credit to the last touch.</summary>
    LastClick,
    /// <summary>All credit to the first touch.</summary>
    FirstClick,
    /// <summary>Equal credit to every touch.</summary>
    Linear,
    /// <summary>Touch weight 2^(−Δt / half-life), Δt the time from the touch to the payment.</summary>
    TimeDecay,
    /// <summary>40% first, 40% last, 20% spread over the middle (one touch: 100%; two: 50/50).</summary>
    PositionBased,
    /// <summary>Data-driven: first-order Markov chain over channels, credit by normalised removal effect.</summary>
    Markov,
}

/// <summary>What the credited rows are keyed by.</summary>
internal enum AttributionDimension
{
    Channel,
    Campaign,
    Kol,
}

/// <summary>
/// An attribution question: orders paid in a range of local days (both inclusive), touches within
/// <paramref name="LookbackDays"/> (1..90) before each payment, time decay with <paramref name="HalfLifeDays"/>
/// (greater than 0, at most 365).
/// </summary>
internal sealed record AttributionQuery(
    DateOnly From,
    DateOnly To,
    AttributionDimension By = AttributionDimension.Channel,
    int LookbackDays = 30,
    double HalfLifeDays = 7)
{
    public Error? Validate() =>
        LocalCalendar.CheckDay("from", From) ?? LocalCalendar.CheckDay("to", To) ?? (To < From ? Error.Invalid("to", $"the range ends ({To:yyyy-MM-dd}) before it starts ({From:yyyy-MM-dd})")
        : To.DayNumber - From.DayNumber > 3660 ? Error.Invalid("to", "a range of more than ten years")
        : LookbackDays is < 1 or > 90 ? Error.Invalid("lookback", $"the look-back window must be 1 to 90 days, not {LookbackDays}")
        : !double.IsFinite(HalfLifeDays) || HalfLifeDays <= 0 || HalfLifeDays > 365
            ? Error.Invalid("half-life", "the time-decay half-life must be more than 0 and at most 365 days")
        : null);
}

/// <summary>
/// One key's credit under one model. <see cref="Orders"/> is fractional; <see cref="Gmv"/> and <see cref="Spend"/> are
/// fen. Credited GMV over all rows of a model sums exactly to the GMV of the orders in the range.
/// </summary>
internal sealed record AttributionRow(string Key, double Orders, long Gmv, long Spend)
{
    /// <summary>Credited GMV / spend (null without spend).</summary>
    public double? Roi => Spend > 0 ? (double)Gmv / Spend : null;
}

internal sealed record AttributionModelResult(AttributionModel Model, IReadOnlyList<AttributionRow> Rows);

/// <summary>Every requested model over the same key set (keys with credit under any model, or with spend).</summary>
internal sealed record AttributionReport(AttributionQuery Query, long TotalOrders, long TotalGmv, IReadOnlyList<AttributionModelResult> Models)
{
    /// <summary>Removal effect of each channel in the Markov model (empty when Markov was not run).</summary>
    public IReadOnlyDictionary<string, double> RemovalEffects { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// Multi-touch attribution over the event index. Pure: no I/O, no clock.
/// <para>
/// A touch is an impression, click, page_view or product_view event that has a channel. An order's path is its
/// visitor's touches with time in [paid − look-back, paid] (both inclusive). Orders with an empty path go to
/// <see cref="Direct"/>. Each model gives each touch an integer weight; an order's GMV is split over the keys on its
/// path by the largest-remainder rule (ties: the key that appears first on the path), so credits are whole fen and
/// sum to the order's GMV exactly. Weights that are not rational (time decay, Markov) are quantised to
/// 2^30 × w / max w, half away from zero, first.
/// </para>
/// <para>
/// Markov: states start, each channel, conversion and null. Every order in the range contributes its path ending in
/// conversion; every visitor with touches in the range but no order in it contributes those touches ending in null.
/// Repeats of a channel are one state visit (self-loops do not change absorption probabilities). The removal effect
/// of a channel is 1 − P(conversion with the channel's inbound transitions sent to null) / P(conversion), solved
/// exactly by Gaussian elimination over the channels seen on paths. An order's credit goes to the channels on its
/// path in proportion to their removal effects, each channel's share split evenly over its touches.
/// Why these rules: docs/adr/0004-attribution-credit.md.
/// </para>
/// </summary>
internal static class AttributionEngine
{
    public const string Direct = "(direct)";
    public const string NoneKey = "(none)";

    /// <summary>Quantisation scale for real-valued weights.</summary>
    internal const double Scale = 1L << 30;

    /// <summary>Channels a Markov chain is solved for at most (the solve is cubic per channel).</summary>
    public const int MaxMarkovChannels = 256;

    public static IReadOnlyList<AttributionModel> AllModels { get; } = Enum.GetValues<AttributionModel>();

    public static Result<AttributionReport> Run(EventIndex index, AttributionQuery query, IReadOnlyList<AttributionModel>? models = null) =>
        Run(index, query, models, null);

    /// <summary>
    /// As <see cref="Run(EventIndex, AttributionQuery, IReadOnlyList{AttributionModel}?)"/>, and <paramref name="perOrder"/> hears each
    /// order's credit under the first model, key by key, in order: (order row, key code, credited fen, credited fraction of the order).
    /// Key codes are the dimension's string-table codes; <see cref="StringTable.None"/> is "(none)" and the table's count "(direct)".
    /// </summary>
    public static Result<AttributionReport> Run(EventIndex index, AttributionQuery query, IReadOnlyList<AttributionModel>? models,
        Action<int, int, long, double>? perOrder)
    {
        if (query.Validate() is { } invalid) return invalid;
        models ??= AllModels;
        var calendar = new LocalCalendar(index.TimeZone);
        var start = calendar.StartOf(query.From);
        var end = calendar.StartOf(query.To.AddDays(1));
        var run = new Runner(index, query, models, start, end) { PerOrder = perOrder };
        var pass = run.CreditRuleModels();
        if (pass is { } error) return error;
        return run.Report();
    }

    /// <summary>The event types that count as touches.</summary>
    internal static readonly string[] TouchTypes = ["impression", "click", "page_view", "product_view"];

    private sealed class Runner
    {
        private readonly EventIndex _index;
        private readonly AttributionQuery _query;
        private readonly IReadOnlyList<AttributionModel> _models;
        private readonly int _start, _end, _lookback;
        private readonly double _halfLife;
        private readonly bool[] _isTouch;
        private readonly StringTable? _keys;
        private readonly int _keyCount, _direct;
        private readonly double[][] _orders;
        private readonly long[][] _gmv;
        private readonly int _markov;
        private readonly Credit _credit;
        private int[] _touches = new int[256];
        private long[] _weights = new long[256];
        private long _totalGmv, _totalOrders;
        private double[] _removal = [];
        private int _order;

        public Action<int, int, long, double>? PerOrder
        {
            init => _credit.OnShare = value is null ? null : (key, gmv, share) => value(_order, key, gmv, share);
        }

        public Runner(EventIndex index, AttributionQuery query, IReadOnlyList<AttributionModel> models, int start, int end)
        {
            _index = index;
            _query = query;
            _models = models;
            _start = start;
            _end = end;
            _lookback = query.LookbackDays * 86400;
            _halfLife = query.HalfLifeDays * 86400;
            _isTouch = new bool[index.Types.Count];
            foreach (var type in TouchTypes)
                if (index.Types.Find(type) is var code and > 0) _isTouch[code] = true;
            _keys = query.By switch
            {
                AttributionDimension.Channel => index.Channels,
                AttributionDimension.Campaign => index.Campaigns,
                _ => index.Kols,
            };
            _direct = _keys.Count;
            _keyCount = _keys.Count + 1;
            _orders = new double[models.Count][];
            _gmv = new long[models.Count][];
            for (var m = 0; m < models.Count; m++)
            {
                _orders[m] = new double[_keyCount];
                _gmv[m] = new long[_keyCount];
            }
            _markov = -1;
            for (var m = 0; m < models.Count; m++)
                if (models[m] == AttributionModel.Markov) _markov = m;
            _credit = new Credit(_keyCount);
        }

        private int KeyOf(int e) => _query.By switch
        {
            AttributionDimension.Channel => _index.EventChannel[e],
            AttributionDimension.Campaign => _index.EventCampaign[e],
            _ => _index.EventKol[e],
        };

        /// <summary>Gathers visitor v's touches that can matter (time in [start − look-back, end)); returns the count.</summary>
        private int GatherTouches(int v)
        {
            var n = 0;
            var from = _start - _lookback;
            for (var e = _index.EventStart[v]; e < _index.EventStart[v + 1]; e++)
            {
                var t = _index.EventTime[e];
                if (t < from) continue;
                if (t >= _end) break;
                if (!_isTouch[_index.EventType[e]] || _index.EventChannel[e] == 0) continue;
                if (n == _touches.Length)
                {
                    Array.Resize(ref _touches, n * 2);
                    Array.Resize(ref _weights, n * 2);
                }
                _touches[n++] = e;
            }
            return n;
        }

        /// <summary>Pass one: totals, the rule-based models, and the Markov transition counts.</summary>
        public Error? CreditRuleModels()
        {
            var channels = _index.Channels.Count;
            MarkovCounts? counts = null;
            if (_markov >= 0)
            {
                if (channels > MaxMarkovChannels + 1)
                    return Error.TooLarge($"the Markov model supports at most {MaxMarkovChannels} channels; this store has {channels - 1}");
                counts = new MarkovCounts(channels);
            }
            for (var v = 0; v < _index.VisitorCount; v++)
            {
                var n = -1;
                int lo = 0, hi = 0;
                var converted = false;
                for (var o = _index.OrderStart[v]; o < _index.OrderStart[v + 1]; o++)
                {
                    var paid = _index.OrderPaidTime[o];
                    if (paid < _start) continue;
                    if (paid >= _end) break;
                    if (n < 0) n = GatherTouches(v);
                    converted = true;
                    var gmv = _index.OrderGmv[o];
                    _totalGmv = checked(_totalGmv + gmv);
                    _totalOrders++;
                    while (hi < n && _index.EventTime[_touches[hi]] <= paid) hi++;
                    while (lo < hi && _index.EventTime[_touches[lo]] < paid - _lookback) lo++;
                    _order = o;
                    if (lo == hi)
                    {
                        _credit.OnShare?.Invoke(_direct, gmv, 1);
                        for (var m = 0; m < _models.Count; m++)
                        {
                            _orders[m][_direct] += 1;
                            _gmv[m][_direct] = checked(_gmv[m][_direct] + gmv);
                        }
                        continue;
                    }
                    for (var m = 0; m < _models.Count; m++)
                    {
                        if (m == _markov) continue;
                        Weigh(_models[m], lo, hi);
                        for (var i = lo; i < hi; i++) _credit.Add(KeyOf(_touches[i]), _weights[i]);
                        _credit.Flush(gmv, _orders[m], _gmv[m], m == 0);
                    }
                    counts?.AddPath(_index, _touches, lo, hi, converted: true);
                }
                if (counts is not null && !converted)
                {
                    if (n < 0) n = GatherTouches(v);
                    var first = 0;
                    while (first < n && _index.EventTime[_touches[first]] < _start) first++;
                    if (first < n) counts.AddPath(_index, _touches, first, n, converted: false);
                }
            }
            if (counts is not null) CreditMarkov(counts);
            return null;
        }

        /// <summary>Integer touch weights of a rule-based model for touches lo..hi.</summary>
        private void Weigh(AttributionModel model, int lo, int hi)
        {
            var n = hi - lo;
            var w = _weights;
            switch (model)
            {
                case AttributionModel.LastClick:
                    Array.Clear(w, lo, n);
                    w[hi - 1] = 1;
                    break;
                case AttributionModel.FirstClick:
                    Array.Clear(w, lo, n);
                    w[lo] = 1;
                    break;
                case AttributionModel.Linear:
                    Array.Fill(w, 1, lo, n);
                    break;
                case AttributionModel.TimeDecay:
                    var last = _index.EventTime[_touches[hi - 1]];
                    for (var i = lo; i < hi; i++)
                        w[i] = DecayWeight(last - _index.EventTime[_touches[i]], _halfLife);
                    break;
                default: // position based, in fifths of (n − 2): 2(n−2) first, 2(n−2) last, 1 for each middle touch
                    if (n <= 2)
                    {
                        Array.Fill(w, 1, lo, n);
                        break;
                    }
                    Array.Fill(w, 1, lo, n);
                    w[lo] = w[hi - 1] = 2L * (n - 2);
                    break;
            }
        }

        /// <summary>Pass two: solve the chain, then credit each order by the removal effects of the channels on its path.</summary>
        private void CreditMarkov(MarkovCounts counts)
        {
            _removal = counts.RemovalEffects();
            var channels = _index.Channels.Count;
            var perChannel = new int[channels];
            var orders = _orders[_markov];
            var gmvs = _gmv[_markov];
            for (var v = 0; v < _index.VisitorCount; v++)
            {
                var n = -1;
                int lo = 0, hi = 0;
                for (var o = _index.OrderStart[v]; o < _index.OrderStart[v + 1]; o++)
                {
                    var paid = _index.OrderPaidTime[o];
                    if (paid < _start) continue;
                    if (paid >= _end) break;
                    if (n < 0) n = GatherTouches(v);
                    while (hi < n && _index.EventTime[_touches[hi]] <= paid) hi++;
                    while (lo < hi && _index.EventTime[_touches[lo]] < paid - _lookback) lo++;
                    if (lo == hi) continue; // credited to direct in pass one
                    var max = 0.0;
                    for (var i = lo; i < hi; i++)
                    {
                        int c = _index.EventChannel[_touches[i]];
                        perChannel[c]++;
                        max = Math.Max(max, _removal[c]);
                    }
                    for (var i = lo; i < hi; i++)
                    {
                        int c = _index.EventChannel[_touches[i]];
                        // A path whose channels all have zero removal effect (not possible for a solved chain, but
                        // guarded) falls back to linear.
                        var share = max > 0 ? _removal[c] / max : 1.0;
                        _credit.Add(KeyOf(_touches[i]), (long)Math.Round(share / perChannel[c] * Scale, MidpointRounding.AwayFromZero));
                    }
                    for (var i = lo; i < hi; i++) perChannel[_index.EventChannel[_touches[i]]] = 0;
                    _order = o;
                    _credit.Flush(_index.OrderGmv[o], orders, gmvs, _markov == 0);
                }
            }
        }

        public AttributionReport Report()
        {
            var spend = new long[_keyCount];
            var firstDay = _query.From.DayNumber;
            var lastDay = _query.To.DayNumber;
            if (_query.By != AttributionDimension.Kol)
                for (var s = 0; s < _index.SpendDay.Length; s++)
                {
                    var day = _index.SpendDay[s];
                    if (day < firstDay || day > lastDay) continue;
                    var key = _query.By == AttributionDimension.Channel ? _index.SpendChannel[s] : _index.SpendCampaign[s];
                    spend[key] = checked(spend[key] + _index.SpendCost[s]);
                }
            var keys = new List<int>();
            for (var k = 0; k < _keyCount; k++)
            {
                var used = spend[k] != 0;
                for (var m = 0; m < _models.Count && !used; m++) used = _orders[m][k] != 0 || _gmv[m][k] != 0;
                if (used) keys.Add(k);
            }
            string Name(int k) => k == _direct ? Direct : _keys!.Decode(k) ?? NoneKey;
            var results = new List<AttributionModelResult>(_models.Count);
            for (var m = 0; m < _models.Count; m++)
            {
                var orders = _orders[m];
                var gmv = _gmv[m];
                var rows = keys.Select(k => new AttributionRow(Name(k), orders[k], gmv[k], spend[k]))
                    .OrderByDescending(r => r.Gmv).ThenByDescending(r => r.Orders).ThenByDescending(r => r.Spend).ThenBy(r => r.Key, StringComparer.Ordinal)
                    .ToList();
                results.Add(new AttributionModelResult(_models[m], rows));
            }
            var effects = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var c = 1; c < _removal.Length; c++)
                if (_removal[c] > 0) effects[_index.Channels.Decode(c)!] = _removal[c];
            return new AttributionReport(_query, _totalOrders, _totalGmv, results) { RemovalEffects = effects };
        }
    }

    /// <summary>Time-decay weight of a touch <paramref name="secondsBeforeLast"/> before the path's last touch, quantised.</summary>
    internal static long DecayWeight(int secondsBeforeLast, double halfLifeSeconds) =>
        (long)Math.Round(Math.Pow(2.0, -secondsBeforeLast / halfLifeSeconds) * Scale, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Splits one order over keys by the largest-remainder rule. Keys are accumulated with <see cref="Add"/> in path
    /// order; <see cref="Flush"/> allocates and resets. Not thread-safe (one per run).
    /// </summary>
    internal sealed class Credit
    {
        private readonly int[] _slot;
        private readonly List<int> _keys = [];
        private readonly List<long> _weights = [];
        private long[] _shares = new long[16];
        private Int128[] _remainders = new Int128[16];
        private int[] _rank = new int[16];

        public Credit(int keyCount)
        {
            _slot = new int[keyCount];
            Array.Fill(_slot, -1);
        }

        public void Add(int key, long weight)
        {
            var slot = _slot[key];
            if (slot < 0)
            {
                _slot[key] = _keys.Count;
                _keys.Add(key);
                _weights.Add(weight);
            }
            else
            {
                _weights[slot] += weight;
            }
        }

        /// <summary>Hears each key's share of a flushed order (key, fen, fraction of the order) when the flush asks for it.</summary>
        public Action<int, long, double>? OnShare { get; set; }

        public void Flush(long gmv, double[] orders, long[] credited, bool report = false)
        {
            var count = _keys.Count;
            long total = 0;
            foreach (var w in _weights) total += w;
            if (_shares.Length < count)
            {
                _shares = new long[count * 2];
                _remainders = new Int128[count * 2];
                _rank = new int[count * 2];
            }
            var negative = gmv < 0;
            var amount = negative ? -gmv : gmv;
            long given = 0;
            for (var i = 0; i < count; i++)
            {
                var product = (Int128)amount * _weights[i];
                _shares[i] = (long)(product / total);
                _remainders[i] = product % total;
                given += _shares[i];
                _rank[i] = i;
            }
            // Leftover fen (fewer than the number of keys) go to the largest remainders; ties to the earlier key.
            var left = amount - given;
            if (left > 0)
            {
                for (var i = 1; i < count; i++)
                {
                    var r = _rank[i];
                    var j = i - 1;
                    while (j >= 0 && _remainders[_rank[j]] < _remainders[r]) { _rank[j + 1] = _rank[j]; j--; }
                    _rank[j + 1] = r;
                }
                for (var i = 0; i < left; i++) _shares[_rank[i]]++;
            }
            for (var i = 0; i < count; i++)
            {
                var key = _keys[i];
                orders[key] += (double)_weights[i] / total;
                credited[key] = checked(credited[key] + (negative ? -_shares[i] : _shares[i]));
                if (report) OnShare?.Invoke(key, negative ? -_shares[i] : _shares[i], (double)_weights[i] / total);
                _slot[key] = -1;
            }
            _keys.Clear();
            _weights.Clear();
        }
    }

    /// <summary>Transition counts of the Markov chain. State 0 is start (channel code 0 is never a touch).</summary>
    internal sealed class MarkovCounts
    {
        private readonly int _channels;
        private readonly long[] _counts;

        public MarkovCounts(int channels)
        {
            _channels = channels;
            _counts = new long[channels * (channels + 2)];
        }

        private int Conversion => _channels;
        private int Null => _channels + 1;

        public void AddPath(EventIndex index, int[] touches, int lo, int hi, bool converted)
        {
            var width = _channels + 2;
            var from = 0;
            for (var i = lo; i < hi; i++)
            {
                int c = index.EventChannel[touches[i]];
                if (c == from) continue;
                _counts[from * width + c]++;
                from = c;
            }
            _counts[from * width + (converted ? Conversion : Null)]++;
        }

        /// <summary>Removal effect per channel code (0 for channels not on any path).</summary>
        public double[] RemovalEffects()
        {
            var width = _channels + 2;
            // Transient states: start and the channels that have outbound transitions.
            var states = new List<int> { 0 };
            for (var c = 1; c < _channels; c++)
            {
                long total = 0;
                for (var t = 0; t < width; t++) total += _counts[c * width + t];
                if (total > 0) states.Add(c);
            }
            var effects = new double[_channels];
            var baseline = ConversionProbability(states, removed: -1);
            if (baseline <= 0) return effects;
            foreach (var c in states.Skip(1))
                effects[c] = Math.Max(0, 1 - ConversionProbability(states, c) / baseline);
            return effects;
        }

        /// <summary>P(reaching conversion from start), with <paramref name="removed"/>'s inbound transitions sent to null.</summary>
        private double ConversionProbability(List<int> states, int removed)
        {
            var width = _channels + 2;
            var n = states.Count;
            var position = new Dictionary<int, int>(n);
            for (var i = 0; i < n; i++) position[states[i]] = i;
            // (I − Q) x = b, x the absorption probability into conversion from each transient state.
            var a = new double[n, n + 1];
            for (var i = 0; i < n; i++)
            {
                a[i, i] = 1;
                var s = states[i];
                if (s == removed) continue; // x = 0: the removed channel converts nothing
                long outgoing = 0;
                for (var t = 0; t < width; t++) outgoing += _counts[s * width + t];
                if (outgoing == 0) continue;
                for (var t = 1; t < _channels; t++)
                {
                    var count = _counts[s * width + t];
                    if (count == 0 || t == removed) continue;
                    a[i, position[t]] -= (double)count / outgoing;
                }
                a[i, n] = (double)_counts[s * width + Conversion] / outgoing;
            }
            return Solve(a, n)[0];
        }

        /// <summary>Gaussian elimination with partial pivoting on an augmented n × (n+1) matrix.</summary>
        private static double[] Solve(double[,] a, int n)
        {
            for (var col = 0; col < n; col++)
            {
                var pivot = col;
                for (var r = col + 1; r < n; r++)
                    if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
                if (pivot != col)
                    for (var k = col; k <= n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                var p = a[col, col];
                if (Math.Abs(p) < 1e-300) continue;
                for (var r = 0; r < n; r++)
                {
                    if (r == col || a[r, col] == 0) continue;
                    var f = a[r, col] / p;
                    for (var k = col; k <= n; k++) a[r, k] -= f * a[col, k];
                }
            }
            var x = new double[n];
            for (var i = 0; i < n; i++) x[i] = Math.Abs(a[i, i]) < 1e-300 ? 0 : a[i, n] / a[i, i];
            return x;
        }
    }
}
