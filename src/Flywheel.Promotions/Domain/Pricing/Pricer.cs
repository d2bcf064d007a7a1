using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>
/// Prices carts against a <see cref="PromotionIndex"/>: item stage → store promotions → store coupons → platform promotions →
/// platform coupons → shipping, then picks the held-coupon combination with the lowest total by branch and bound (exact: the bound
/// never cuts a combination that could win). Thread-safe; per-thread scratch buffers keep the search allocation-free.
/// </summary>
internal sealed class Pricer
{
    /// <summary>Largest cart accepted; a bound so a request cannot make the search or allocation unbounded.</summary>
    public const int MaxLines = 500;

    /// <summary>Largest number of held coupons considered.</summary>
    public const int MaxCoupons = 64;

    [ThreadStatic] private static Work? t_work;

    private readonly PromotionIndex _index;
    private readonly TimeSpan _utcOffset;
    private readonly bool _naive;
    private readonly PipelineStep[] _steps;
    private readonly int _prefixEnd;

    /// <param name="index">The compiled active promotions.</param>
    /// <param name="utcOffset">The time zone of 会员日 weekdays; China Standard Time (+08:00) by default.</param>
    /// <param name="pipeline">The tenant's stacking order; <see cref="PricingPipeline.Default"/> when null.</param>
    public Pricer(PromotionIndex index, TimeSpan? utcOffset = null, PricingPipeline? pipeline = null) : this(index, utcOffset, naive: false, pipeline)
    {
    }

    internal Pricer(PromotionIndex index, TimeSpan? utcOffset, bool naive, PricingPipeline? pipeline = null)
    {
        _index = index;
        _utcOffset = utcOffset ?? TimeSpan.FromHours(8);
        _naive = naive;
        Pipeline = pipeline ?? PricingPipeline.Default;
        _steps = [.. Pipeline.Steps];
        // The prefix is every step before the first coupon step: it is the same for every coupon combination, so it runs once.
        _prefixEnd = Array.FindIndex(_steps, s => s is PipelineStep.StoreCoupons or PipelineStep.PlatformCoupons or PipelineStep.Shipping);
    }

    public PromotionIndex Index => _index;

    public PricingPipeline Pipeline { get; }

    /// <summary>
    /// Prices the cart with the best combination of its held coupons. <paramref name="heldOut"/>: promotions this customer is
    /// in the holdout of (an experiment's control group, found by the caller before pricing): they do not apply and the result
    /// lists them in <see cref="PricedCart.HeldOut"/> (those that would have been candidates for the cart).
    /// </summary>
    public Result<PricedCart> Price(Cart cart, IReadOnlySet<string>? heldOut = null)
    {
        if (Validate(cart) is { } error) return error;
        var work = Prepare(cart, heldOut);
        work.RunPrefix(record: false);
        var chosen = work.Search();
        return work.Final(chosen);
    }

    /// <summary>Prices the cart using exactly the given held coupons (each applied if it qualifies), for differential tests.</summary>
    internal PricedCart PriceWith(Cart cart, IReadOnlyList<HeldCoupon> coupons)
    {
        if (Validate(cart with { HeldCoupons = coupons }) is { } error) throw new ArgumentException(error.ToString());
        var work = Prepare(cart with { HeldCoupons = coupons });
        var chosen = new List<int>();
        for (var i = 0; i < work.Coupons.Count; i++) chosen.Add(i);
        return work.Final(chosen);
    }

    private Work Prepare(Cart cart, IReadOnlySet<string>? heldOut = null)
    {
        var work = t_work ??= new Work();
        work.Reset(this, cart, heldOut);
        return work;
    }

    /// <summary>
    /// The promotions that name an experiment among those that could apply to the cart (active at its time, in scope of a
    /// line), as (promotion id, experiment key): the ones a caller assigns the customer to before pricing. Empty (and no work)
    /// when no promotion names an experiment.
    /// </summary>
    public IReadOnlyList<(string PromotionId, string Experiment)> ExperimentCandidates(Cart cart)
    {
        if (!_index.HasExperiments || Validate(cart) is not null) return [];
        return Prepare(cart).ExperimentCandidates();
    }

    internal static Error? Validate(Cart cart)
    {
        if (cart.Lines is null || cart.Lines.Count == 0) return Error.Invalid("lines", "a cart needs at least one line");
        if (cart.Lines.Count > MaxLines) return Error.Invalid("lines", $"a cart has at most {MaxLines} lines");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cart.Lines.Count; i++)
        {
            var l = cart.Lines[i];
            var at = $"lines[{i}]";
            if (l is null) return Error.Invalid(at, "a line is an object");
            if (string.IsNullOrWhiteSpace(l.LineId)) return Error.Invalid(at + ".line_id", "line_id is required");
            if (!ids.Add(l.LineId)) return Error.Invalid(at + ".line_id", $"line_id '{l.LineId}' appears twice");
            if (string.IsNullOrWhiteSpace(l.Sku)) return Error.Invalid(at + ".sku", "sku is required");
            if (string.IsNullOrWhiteSpace(l.Store)) return Error.Invalid(at + ".store", "store is required");
            if (l.Category is null) return Error.Invalid(at + ".category", "category is required");
            if (l.Quantity is <= 0 or > 100_000) return Error.Invalid(at + ".quantity", "quantity is between 1 and 100000");
            if (l.UnitListPrice is < 0 or > MoneyText.MaxMinor / 100_000) return Error.Invalid(at + ".unit_list_price", "unit_list_price is non-negative fen, at most 10^10");
            if (l.PresaleUnits < 0 || l.PresaleUnits > l.Quantity) return Error.Invalid(at + ".presale_units", "presale_units is between 0 and the quantity");
        }
        if (cart.ShippingFees is not null)
            foreach (var (store, fee) in cart.ShippingFees)
                if (fee is < 0 or > MoneyText.MaxMinor) return Error.Invalid($"shipping_fees.{store}", "a shipping fee is non-negative fen");
        if (cart.HeldCoupons is { } held)
        {
            if (held.Count > MaxCoupons) return Error.Invalid("held_coupons", $"at most {MaxCoupons} held coupons are considered");
            var codes = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < held.Count; i++)
            {
                if (held[i] is null || held[i].Spec is null) return Error.Invalid($"held_coupons[{i}]", "a coupon has a code and a spec");
                if (!codes.Add(held[i].Code)) return Error.Invalid($"held_coupons[{i}].code", $"coupon '{held[i].Code}' appears twice");
                // A coupon worth a negative amount would raise the price; one out of range is a mistake, not a coupon to skip quietly.
                var spec = held[i].Spec;
                var at = $"held_coupons[{i}].spec";
                if (spec.AmountOff is < 0 or > MoneyText.MaxMinor) return Error.Invalid(at + ".amount_off", $"amount_off is fen between 0 and {MoneyText.MaxMinor} (got {spec.AmountOff})");
                if (spec.PercentOff is < 0 or > 100) return Error.Invalid(at + ".percent_off", $"percent_off is between 0 and 100 (got {spec.PercentOff})");
                if (spec.Threshold is < 0 or > MoneyText.MaxMinor) return Error.Invalid(at + ".threshold", $"threshold is fen between 0 and {MoneyText.MaxMinor} (got {spec.Threshold})");
                if (spec.MaxDiscount is < 0 or > MoneyText.MaxMinor) return Error.Invalid(at + ".max_discount", $"max_discount is fen between 0 and {MoneyText.MaxMinor} (got {spec.MaxDiscount})");
            }
        }
        return null;
    }

    private readonly record struct StepRec(int Line, DiscountSource Source, string Id, string Name, Stage Stage, long Amount, long Platform);

    private sealed class CouponSlot
    {
        public required string Key;
        public required Stage Stage;
        public readonly List<int> Candidates = [];
        public long MaxBound;
    }

    /// <summary>One pricing call's state. Reused per thread; arrays grow as needed.</summary>
    private sealed class Work
    {
        private Pricer _pricer = null!;
        private Cart _cart = null!;
        private CompiledPromotion[] _all = [];
        private CartLine[] _lines = [];
        private int[] _inputPosition = [];
        private int _n;
        private long[] _list = [];
        private long[] _amount = [];
        private long[] _floor = [];
        private long[] _prefix = [];
        private long[] _weights = [];
        private long[] _shares = [];
        private long[] _platformShares = [];
        private long[] _remainders = [];
        private int[] _compactIndex = [];
        private long[] _compactWeights = [];
        private int[] _storeOf = [];
        private List<int>[] _applied = [];
        private int[] _prefixApplied = [];
        private bool[] _seen = [];
        private int[] _position = [];      // promotion ordinal → its position among this cart's candidates
        private bool[] _match = [];        // [position * n + line]: the promotion's scope matches the line
        private sbyte[] _stack = [];       // [position * candidates + position]: 0 unknown, 1 stacks, 2 does not
        private readonly List<int> _candidates = [];
        private readonly List<HeldOutPromotion> _heldOut = [];
        private readonly List<string> _stores = [];
        private readonly List<long> _shippingFee = [];
        private readonly List<long> _shippingPaid = [];
        private long _ticks;
        private DayOfWeek _day;
        private bool _record;
        private int _combinations;
        private readonly List<CouponSlot> _slots = [];
        private readonly List<Phase> _phases = [];
        private readonly List<int>[] _stageCandidates = [[], [], [], []]; // by Stage: the candidates of each stage, processing order
        private readonly List<int> _shippingCandidates = [];              // the free-shipping candidates
        private int[] _matchStart = [];                                    // CSR: the lines each candidate's scope matches
        private int[] _matchLines = [];
        private bool[] _covers = [];                                       // [coupon * n + line]: the coupon covers the line
        private long[] _levelAmounts = [];
        private int[] _levelApplied = [];
        private long[] _remaining = [];
        private long _minShipping;
        private long _bestTotal;
        private Comparison<int>? _byBoundDescending;
        private Predicate<int>? _worthless;
        private readonly List<int> _combo = [];

        // recording (final run only)
        private readonly List<StepRec> _steps = [];
        private readonly List<OrderDiscount> _orderDiscounts = [];
        private readonly List<GiftLine> _gifts = [];
        private readonly List<NextThreshold> _next = [];
        private readonly List<UnusedCoupon> _unused = [];
        private readonly Dictionary<int, long> _couponDiscount = [];

        public List<HeldCoupon> Coupons { get; } = [];
        private readonly List<long> _couponBound = [];

        public void Reset(Pricer pricer, Cart cart, IReadOnlySet<string>? heldOut = null)
        {
            _pricer = pricer;
            _cart = cart;
            _all = pricer._index.All;
            var n = cart.Lines.Count;
            _n = n;
            if (_lines.Length < n)
            {
                var size = Math.Max(n, 32);
                _lines = new CartLine[size];
                _inputPosition = new int[size];
                _list = new long[size];
                _amount = new long[size];
                _floor = new long[size];
                _prefix = new long[size];
                _weights = new long[size];
                _shares = new long[size];
                _platformShares = new long[size];
                _remainders = new long[size];
                _compactIndex = new int[size];
                _compactWeights = new long[size];
                _storeOf = new int[size];
                _prefixApplied = new int[size];
                var applied = new List<int>[size];
                for (var i = 0; i < size; i++) applied[i] = i < _applied.Length ? _applied[i] : [];
                _applied = applied;
            }
            if (_seen.Length < _all.Length)
            {
                _seen = new bool[_all.Length];
                _position = new int[_all.Length];
            }
            for (var i = 0; i < n; i++)
            {
                _lines[i] = cart.Lines[i];
                _inputPosition[i] = i;
            }
            // Sorting by line id makes every rounding tie, and so the whole result, independent of the order of lines.
            Array.Sort(_lines, _inputPosition, 0, n, LineIdComparer.Instance);
            _stores.Clear();
            for (var i = 0; i < n; i++)
            {
                var index = _stores.IndexOf(_lines[i].Store);
                if (index < 0)
                {
                    index = _stores.Count;
                    _stores.Add(_lines[i].Store);
                }
                _storeOf[i] = index;
                _list[i] = checked(_lines[i].UnitListPrice * _lines[i].Quantity);
            }
            // Stores in ordinal order, not first-seen order, for the same reason as the line sort.
            if (_stores.Count > 1)
            {
                var sorted = _stores.OrderBy(s => s, StringComparer.Ordinal).ToList();
                for (var i = 0; i < n; i++) _storeOf[i] = sorted.IndexOf(_stores[_storeOf[i]]);
                _stores.Clear();
                _stores.AddRange(sorted);
            }
            _shippingFee.Clear();
            foreach (var s in _stores) _shippingFee.Add(cart.ShippingFees is not null && cart.ShippingFees.TryGetValue(s, out var fee) ? fee : 0);
            _ticks = cart.At.UtcTicks;
            _day = cart.At.ToOffset(pricer._utcOffset).DayOfWeek;
            _candidates.Clear();
            var lineView = new ArraySegment<CartLine>(_lines, 0, n);
            if (pricer._naive) pricer._index.CollectNaive(lineView, _ticks, _candidates);
            else pricer._index.Collect(lineView, _ticks, _candidates, _seen);
            _heldOut.Clear();
            if (heldOut is { Count: > 0 })
            {
                // An experiment's holdout: the promotion is not a candidate for this customer; the result says so.
                foreach (var k in _candidates)
                    if (_all[k].Promotion is { Experiment: { } experiment } held && heldOut.Contains(held.Id))
                        _heldOut.Add(HeldOutPromotion.Of(held.Id, held.Name, experiment));
                _candidates.RemoveAll(k => heldOut.Contains(_all[k].Id));
            }
            // Scope matching and stacking are fixed for the cart: computed once here, not once per coupon combination.
            var c = _candidates.Count;
            if (_match.Length < c * n) _match = new bool[Math.Max(c * n, 256)];
            if (_stack.Length < c * c) _stack = new sbyte[Math.Max(c * c, 256)];
            Array.Clear(_stack, 0, c * c);
            foreach (var list in _stageCandidates) list.Clear();
            _shippingCandidates.Clear();
            if (_matchStart.Length < c + 1) _matchStart = new int[Math.Max(c + 1, 64)];
            var matched = 0;
            for (var k = 0; k < c; k++)
            {
                var promotion = _all[_candidates[k]];
                _position[promotion.Ordinal] = k;
                _matchStart[k] = matched;
                for (var i = 0; i < n; i++)
                {
                    var m = promotion.Matches(_lines[i]);
                    _match[k * n + i] = m;
                    if (!m) continue;
                    if (_matchLines.Length <= matched) Array.Resize(ref _matchLines, Math.Max(256, _matchLines.Length * 2));
                    _matchLines[matched++] = i;
                }
                if (promotion.Mechanic is FreeShipping) _shippingCandidates.Add(_candidates[k]);
                else _stageCandidates[(int)promotion.Stage].Add(_candidates[k]);
            }
            _matchStart[c] = matched;
            _combinations = 0;
            _steps.Clear();
            _orderDiscounts.Clear();
            _gifts.Clear();
            _next.Clear();
            _unused.Clear();
            _couponDiscount.Clear();
            PrepareCoupons();
        }

        private void PrepareCoupons()
        {
            Coupons.Clear();
            if (_cart.HeldCoupons is not { } held) return;
            // Canonical order (stage, slot, code): coupons of one stage are applied in this order in every combination.
            var sorted = held.OrderBy(c => c.Spec is null ? Stage.Platform : CouponStage(c.Spec)).ThenBy(c => c.Spec is null ? "" : SlotKey(c.Spec), StringComparer.Ordinal)
                .ThenBy(c => c.Code, StringComparer.Ordinal);
            foreach (var c in sorted)
            {
                var s = c.Spec;
                if (_ticks < c.ValidFrom.UtcTicks) _unused.Add(new UnusedCoupon(c.Code, "not_yet_valid", $"该券{c.ValidFrom:yyyy-MM-dd HH:mm}起可用 / valid from {c.ValidFrom:yyyy-MM-dd HH:mm}"));
                else if (_ticks >= c.ValidTo.UtcTicks) _unused.Add(new UnusedCoupon(c.Code, "expired", "该券已过期 / the coupon has expired"));
                else if ((s.AmountOff is null) == (s.PercentOff is null) || s.AmountOff <= 0 || s.PercentOff is <= 0 or >= 100 || s.Threshold < 0)
                    _unused.Add(new UnusedCoupon(c.Code, "invalid", "该券面额无效 / the coupon has no valid value"));
                else if (!AnyCouponLine(s)) _unused.Add(new UnusedCoupon(c.Code, "not_applicable", "购物车中没有适用该券的商品 / nothing in the cart is eligible"));
                else Coupons.Add(c);
            }
            if (_covers.Length < Coupons.Count * _n) _covers = new bool[Math.Max(Coupons.Count * _n, 256)];
            for (var c = 0; c < Coupons.Count; c++)
                for (var i = 0; i < _n; i++) _covers[c * _n + i] = CouponCovers(Coupons[c].Spec, _lines[i]);
        }

        private bool AnyCouponLine(CouponSpec spec)
        {
            for (var i = 0; i < _n; i++) if (CouponCovers(spec, _lines[i])) return true;
            return false;
        }

        private static bool CouponCovers(CouponSpec spec, CartLine line) =>
            (spec.Store is null || spec.Store == line.Store) && (spec.Category is null || spec.Category == line.Category);

        /// <summary>Store coupons run in the store stage, everything else (platform, category, 无门槛 without a store) in the platform stage.</summary>
        private static Stage CouponStage(CouponSpec spec) => spec.Store is not null ? Stage.Store : Stage.Platform;

        /// <summary>At most one coupon per kind and store: the default rule of the big platforms (one 店铺券 per store, one 平台券...).</summary>
        private static string SlotKey(CouponSpec spec) => spec.Kind + "/" + (spec.Store ?? "*");

        public void RunPrefix(bool record)
        {
            _record = record;
            for (var i = 0; i < _n; i++)
            {
                _amount[i] = _list[i];
                _floor[i] = 0;
                _applied[i].Clear();
            }
            var steps = _pricer._steps;
            for (var k = 0; k < _pricer._prefixEnd; k++) ApplyStage(PromotionStage(steps[k]));
            Array.Copy(_amount, _prefix, _n);
            for (var i = 0; i < _n; i++) _prefixApplied[i] = _applied[i].Count;
        }

        private static Stage PromotionStage(PipelineStep step) => step switch
        {
            PipelineStep.Item => Stage.Item,
            PipelineStep.StorePromotions => Stage.Store,
            _ => Stage.Platform,
        };

        private static bool IsCouponStep(PipelineStep step) => step is PipelineStep.StoreCoupons or PipelineStep.PlatformCoupons;

        private static Stage CouponStepStage(PipelineStep step) => step == PipelineStep.StoreCoupons ? Stage.Store : Stage.Platform;

        /// <summary>Applies every candidate promotion of a stage, in processing order (priority, then id).</summary>
        private void ApplyStage(Stage stage)
        {
            var list = _stageCandidates[(int)stage];
            for (var k = 0; k < list.Count; k++) ApplyPromotion(_all[list[k]]);
        }

        private void RestorePrefix()
        {
            Array.Copy(_prefix, _amount, _n);
            TrimApplied(_prefixApplied, 0);
        }

        private void TrimApplied(int[] counts, int offset)
        {
            for (var i = 0; i < _n; i++)
            {
                var list = _applied[i];
                var keep = counts[offset + i];
                if (list.Count > keep) list.RemoveRange(keep, list.Count - keep);
            }
        }

        /// <summary>Runs the steps after the prefix with the given coupons (in slot order) and returns the total (goods + shipping).</summary>
        private long RunSuffix(List<int> coupons)
        {
            var steps = _pricer._steps;
            for (var k = _pricer._prefixEnd; k < steps.Length; k++)
            {
                var step = steps[k];
                if (step == PipelineStep.Shipping) break;
                if (IsCouponStep(step))
                {
                    var stage = CouponStepStage(step);
                    foreach (var c in coupons) if (CouponStage(Coupons[c].Spec) == stage) ApplyCoupon(c);
                }
                else ApplyStage(PromotionStage(step));
            }
            long total = 0;
            for (var i = 0; i < _n; i++) total += _amount[i];
            return total + Shipping();
        }

        /// <summary>
        /// Finds the held-coupon combination with the lowest total by depth-first branch and bound over the steps after the
        /// prefix: a promotion step is applied once per node (not once per leaf), a coupon step branches over its slots (each
        /// slot: one of its coupons, or none). The bound at a node is the goods left minus everything the remaining steps could
        /// still take (each coupon's value and each promotion stage's value on the prefix prices, the highest they can be) plus
        /// the least shipping; a subtree whose bound cannot beat the best total found is skipped. Exact: verified against brute
        /// force in the tests.
        /// </summary>
        public List<int> Search()
        {
            var best = new List<int>();
            if (Coupons.Count == 0) return best;
            _slots.Clear();
            _couponBound.Clear();
            for (var c = 0; c < Coupons.Count; c++)
            {
                _couponBound.Add(CouponValueOnPrefix(c));
                var key = SlotKey(Coupons[c].Spec);
                CouponSlot? slot = null;
                foreach (var s in _slots) if (s.Key == key) slot = s;
                if (slot is null) _slots.Add(slot = new CouponSlot { Key = key, Stage = CouponStage(Coupons[c].Spec) });
                slot.Candidates.Add(c);
            }
            foreach (var slot in _slots)
            {
                slot.Candidates.Sort(_byBoundDescending ??= (a, b) => _couponBound[b].CompareTo(_couponBound[a]) is var x && x != 0 ? x : a.CompareTo(b));
                // a coupon worth nothing even on the highest possible amounts can never help
                slot.Candidates.RemoveAll(_worthless ??= c => _couponBound[c] == 0);
                slot.MaxBound = slot.Candidates.Count == 0 ? 0 : _couponBound[slot.Candidates[0]];
            }
            _slots.RemoveAll(s => s.Candidates.Count == 0);
            _slots.Sort((a, b) => a.Stage != b.Stage ? a.Stage.CompareTo(b.Stage) : string.CompareOrdinal(a.Key, b.Key));
            if (_slots.Count == 0) return best;

            // The phases after the prefix: promotion stages, and one phase per coupon slot of a coupon step.
            _phases.Clear();
            var steps = _pricer._steps;
            for (var k = _pricer._prefixEnd; k < steps.Length && steps[k] != PipelineStep.Shipping; k++)
            {
                if (!IsCouponStep(steps[k]))
                {
                    var promotionStage = PromotionStage(steps[k]);
                    if (_stageCandidates[(int)promotionStage].Count > 0) _phases.Add(new Phase(promotionStage, -1, 0, StageBound(promotionStage)));
                    continue;
                }
                var stage = CouponStepStage(steps[k]);
                for (var s = 0; s < _slots.Count; s++)
                    if (_slots[s].Stage == stage) _phases.Add(new Phase(stage, s, _slots[s].MaxBound, null));
            }
            var levels = (_phases.Count + 1) * _n;
            if (_levelAmounts.Length < levels)
            {
                _levelAmounts = new long[levels];
                _levelApplied = new int[levels];
            }
            if (_remaining.Length < _phases.Count + 1) _remaining = new long[_phases.Count + 1];
            _remaining[_phases.Count] = 0;
            for (var k = _phases.Count - 1; k >= 0; k--) _remaining[k] = _remaining[k + 1] + _phases[k].Bound;
            _minShipping = ShippingOnPrefix();
            _bestTotal = long.MaxValue;
            _combo.Clear();
            RestorePrefix();
            Dfs(0, best);
            RestorePrefix();
            return best;
        }

        private readonly record struct Phase(Stage Stage, int Slot, long Bound, StageBoundModel? Model);

        private void Dfs(int phase, List<int> best)
        {
            long goods = 0, available = 0;
            for (var i = 0; i < _n; i++)
            {
                goods += _amount[i];
                available += _amount[i] - _floor[i];
            }
            // _remaining holds the coupon slots' bounds; the promotion stages still ahead are bounded at this node's prices.
            var remaining = _remaining[phase];
            for (var k = phase; k < _phases.Count; k++)
                if (_phases[k].Model is { } model) remaining += model.At(_amount, _n);
            if (goods - Math.Min(available, remaining) + _minShipping >= _bestTotal) return;
            if (phase == _phases.Count)
            {
                _combinations++;
                var total = goods + Shipping();
                if (total < _bestTotal)
                {
                    _bestTotal = total;
                    best.Clear();
                    best.AddRange(_combo);
                }
                return;
            }
            var offset = phase * _n;
            Array.Copy(_amount, 0, _levelAmounts, offset, _n);
            var p = _phases[phase];
            if (p.Slot < 0)
            {
                for (var i = 0; i < _n; i++) _levelApplied[offset + i] = _applied[i].Count;
                ApplyStage(p.Stage);
                Dfs(phase + 1, best);
                Array.Copy(_levelAmounts, offset, _amount, 0, _n);
                TrimApplied(_levelApplied, offset);
                return;
            }
            foreach (var c in _slots[p.Slot].Candidates)
            {
                ApplyCoupon(c);
                _combo.Add(c);
                Dfs(phase + 1, best);
                _combo.RemoveAt(_combo.Count - 1);
                Array.Copy(_levelAmounts, offset, _amount, 0, _n);
            }
            Dfs(phase + 1, best);
        }

        /// <summary>The candidates of the cart that name an experiment, in candidate order.</summary>
        public List<(string, string)> ExperimentCandidates()
        {
            var list = new List<(string, string)>();
            foreach (var k in _candidates)
                if (_all[k].Promotion.Experiment is { } experiment) list.Add((_all[k].Id, experiment));
            return list;
        }

        public PricedCart Final(List<int> chosen)
        {
            RunPrefix(record: true);
            RunSuffix(chosen);
            var used = new List<string>();
            foreach (var c in chosen)
            {
                if (_couponDiscount.TryGetValue(c, out var d) && d > 0) used.Add(Coupons[c].Code);
            }
            for (var c = 0; c < Coupons.Count; c++)
            {
                var coupon = Coupons[c];
                if (used.Contains(coupon.Code)) continue;
                _unused.Add(ExplainUnused(c, chosen, used));
            }
            return Build(used);
        }

        private UnusedCoupon ExplainUnused(int c, List<int> chosen, List<string> used)
        {
            var coupon = Coupons[c];
            var key = SlotKey(coupon.Spec);
            long eligible = 0;
            for (var i = 0; i < _n; i++) if (CouponCovers(coupon.Spec, _lines[i])) eligible += _prefix[i];
            if (eligible < coupon.Spec.Threshold)
                return new UnusedCoupon(coupon.Code, "threshold_not_met",
                    $"再买{Labels.Price(coupon.Spec.Threshold - eligible)}可用此券 / add {Labels.Price(coupon.Spec.Threshold - eligible)} more to use it");
            foreach (var other in chosen)
                if (other != c && SlotKey(Coupons[other].Spec) == key && used.Contains(Coupons[other].Code))
                    return new UnusedCoupon(coupon.Code, "slot_taken",
                        $"同类券每单限用一张，已选用{Coupons[other].Code}（实付更低）/ one coupon of this kind per order; {Coupons[other].Code} gives the lower total");
            return new UnusedCoupon(coupon.Code, "not_beneficial",
                "使用此券不会让实付更低（会让其他优惠失效或门槛不足）/ using it would not lower the total");
        }

        private long CouponValueOnPrefix(int c)
        {
            var spec = Coupons[c].Spec;
            long eligible = 0, available = 0;
            var row = c * _n;
            for (var i = 0; i < _n; i++)
                if (_covers[row + i])
                {
                    eligible += _prefix[i];
                    available += _prefix[i] - _floor[i];
                }
            return Math.Min(CouponValue(spec, eligible), available);
        }

        private static long CouponValue(CouponSpec spec, long eligible)
        {
            if (eligible <= 0 || eligible < spec.Threshold) return 0;
            long value = spec.AmountOff is { } amount ? Math.Min(amount, eligible) : (long)((Int128)eligible * spec.PercentOff!.Value / 100);
            if (spec.MaxDiscount is { } max) value = Math.Min(value, max);
            return value;
        }

        private void ApplyCoupon(int c)
        {
            var coupon = Coupons[c];
            var spec = coupon.Spec;
            long eligible = 0, available = 0;
            var row = c * _n;
            for (var i = 0; i < _n; i++)
            {
                var covers = _covers[row + i];
                _weights[i] = covers ? _amount[i] - _floor[i] : 0;
                if (covers)
                {
                    eligible += _amount[i];
                    available += _weights[i];
                }
            }
            var d = Math.Min(CouponValue(spec, eligible), available);
            if (_record) _couponDiscount[c] = d;
            if (d <= 0) return;
            var stage = CouponStage(spec);
            var platformPercent = spec.Funding == FundingParty.Platform ? 100 : 0;
            Distribute(d, platformPercent, DiscountSource.Coupon, coupon.Code, _record ? CouponName(spec) : "", stage, spec.Store, eligible, promotion: null);
        }

        private static string CouponName(CouponSpec spec)
        {
            var kind = spec.Kind switch
            {
                CouponKind.Store => "店铺券",
                CouponKind.Platform => "平台券",
                CouponKind.Category => "品类券",
                _ => "无门槛券",
            };
            var value = spec.AmountOff is { } a ? $"减{Labels.Yuan(a)}" : Labels.Zhe(spec.PercentOff ?? 0);
            return spec.Threshold > 0 ? $"{kind} 满{Labels.Yuan(spec.Threshold)}{value}" : $"{kind} {value}";
        }

        /// <summary>Allocates an order-level discount over the lines whose weights are set, records it, and lowers the amounts.</summary>
        private void Distribute(long d, int platformPercent, DiscountSource source, string id, string name, Stage stage, string? store,
            long eligible, CompiledPromotion? promotion)
        {
            if (!_record)
            {
                // The search only needs the new amounts: split over the weighted lines alone (the same shares, since lines of
                // zero weight get nothing and the compact list keeps the index order that breaks remainder ties).
                var count = 0;
                for (var i = 0; i < _n; i++)
                    if (_weights[i] > 0)
                    {
                        _compactIndex[count] = i;
                        _compactWeights[count++] = _weights[i];
                    }
                var compactShares = new Span<long>(_shares, 0, count);
                Allocation.LargestRemainder(d, new ReadOnlySpan<long>(_compactWeights, 0, count), compactShares, _remainders);
                for (var k = 0; k < count; k++) _amount[_compactIndex[k]] -= compactShares[k];
                return;
            }
            var weights = new ReadOnlySpan<long>(_weights, 0, _n);
            var shares = new Span<long>(_shares, 0, _n);
            Allocation.LargestRemainder(d, weights, shares, _remainders);
            var platformTotal = (long)((Int128)d * platformPercent / 100);
            if (_record) Allocation.LargestRemainder(platformTotal, shares, _platformShares, _remainders);
            Dictionary<string, long>? byStore = _record ? new Dictionary<string, long>(StringComparer.Ordinal) : null;
            for (var i = 0; i < _n; i++)
            {
                if (_shares[i] == 0) continue;
                _amount[i] -= _shares[i];
                if (_record)
                {
                    _steps.Add(new StepRec(i, source, id, name, stage, _shares[i], _platformShares[i]));
                    var s = _lines[i].Store;
                    byStore![s] = byStore.GetValueOrDefault(s) + _shares[i];
                }
            }
            if (_record)
                _orderDiscounts.Add(new OrderDiscount(source, id, name, stage, store, eligible, d, platformTotal, d - platformTotal, byStore!));
        }

        private void ApplyPromotion(CompiledPromotion p)
        {
            switch (p.Mechanic)
            {
                case DirectDiscount or FlashPrice or MemberPrice or MemberDay or PresaleDeposit or BuyXGetY { GetSku: null }:
                    ApplyPerLine(p);
                    break;
                case FreeShipping:
                    break;
                default:
                    if (p.Stage == Stage.Platform) ApplyGroup(p, storeIndex: -1);
                    else for (var s = 0; s < _stores.Count; s++) ApplyGroup(p, s);
                    break;
            }
        }

        private bool Matches(CompiledPromotion p, int line) => _match[_position[p.Ordinal] * _n + line];

        private bool Stacks(CompiledPromotion p, int line)
        {
            var applied = _applied[line];
            if (applied.Count == 0) return true;
            var row = _position[p.Ordinal] * _candidates.Count;
            foreach (var o in applied)
            {
                ref var cached = ref _stack[row + _position[o]];
                if (cached == 0) cached = CompiledPromotion.CanStack(p, _all[o]) ? (sbyte)1 : (sbyte)2;
                if (cached == 2) return false;
            }
            return true;
        }

        private void ApplyPerLine(CompiledPromotion p)
        {
            var tier = _cart.CustomerTier;
            var percent = 0;
            switch (p.Mechanic)
            {
                case MemberPrice m:
                    if (tier is null) return;
                    foreach (var t in m.Tiers) if (t.Tier == tier) percent = t.PercentOff;
                    if (percent == 0) return;
                    break;
                case MemberDay md:
                    if (tier is null || md.Day != _day || !md.Tiers.Contains(tier)) return;
                    percent = md.PercentOff;
                    break;
            }
            var k = _position[p.Ordinal];
            for (var m = _matchStart[k]; m < _matchStart[k + 1]; m++)
            {
                var i = _matchLines[m];
                var line = _lines[i];
                if (!Stacks(p, i)) continue;
                long d;
                switch (p.Mechanic)
                {
                    case DirectDiscount { PercentOff: { } pct }:
                        d = (long)((Int128)_amount[i] * pct / 100);
                        break;
                    case DirectDiscount dd:
                        d = checked((dd.AmountOff ?? 0) * line.Quantity);
                        break;
                    case FlashPrice f:
                        d = _amount[i] - checked(f.UnitPrice * line.Quantity);
                        break;
                    case MemberPrice or MemberDay:
                        d = (long)((Int128)_amount[i] * percent / 100);
                        break;
                    case PresaleDeposit pd:
                        if (line.PresaleUnits == 0) continue;
                        // The deposit is already paid: the line can never be priced below it.
                        _floor[i] = Math.Min(_amount[i], checked(_floor[i] + pd.Deposit * line.PresaleUnits));
                        d = checked((pd.Value - pd.Deposit) * line.PresaleUnits);
                        break;
                    case BuyXGetY b:
                        {
                            var sets = line.Quantity / (b.Buy + b.Get);
                            if (!b.Repeating) sets = Math.Min(sets, 1);
                            var units = sets * b.Get;
                            d = (long)((Int128)_amount[i] * units * b.PercentOff / ((long)line.Quantity * 100));
                            break;
                        }
                    default:
                        continue;
                }
                d = Math.Min(d, _amount[i] - _floor[i]);
                if (d <= 0 && p.Mechanic is not PresaleDeposit) continue;
                _applied[i].Add(p.Ordinal);
                if (d <= 0) continue;
                _amount[i] -= d;
                if (_record) _steps.Add(new StepRec(i, DiscountSource.Promotion, p.Id, p.Promotion.Name, p.Stage, d, (long)((Int128)d * p.PlatformPercent / 100)));
            }
        }

        private void ApplyGroup(CompiledPromotion p, int storeIndex)
        {
            long eligible = 0, available = 0;
            var units = 0L;
            var any = false;
            var getSku = p.Mechanic is BuyXGetY { GetSku: { } g } ? g : null;
            long getAmount = 0, getUnits = 0;
            Array.Clear(_weights, 0, _n);
            if (getSku is null)
            {
                // Only the lines the scope matches: on a large cart most promotions touch a few lines.
                var k = _position[p.Ordinal];
                for (var m = _matchStart[k]; m < _matchStart[k + 1]; m++)
                {
                    var i = _matchLines[m];
                    if (storeIndex >= 0 && _storeOf[i] != storeIndex) continue;
                    if (!Stacks(p, i)) continue;
                    any = true;
                    eligible += _amount[i];
                    units += _lines[i].Quantity;
                    _weights[i] = _amount[i] - _floor[i];
                    available += _weights[i];
                }
            }
            else
            {
                for (var i = 0; i < _n; i++)
                {
                    if (storeIndex >= 0 && _storeOf[i] != storeIndex) continue;
                    var line = _lines[i];
                    if (line.Sku == getSku)
                    {
                        if (!Stacks(p, i)) continue;
                        _weights[i] = _amount[i] - _floor[i];
                        getAmount += _amount[i];
                        getUnits += line.Quantity;
                        continue;
                    }
                    if (!Matches(p, i) || !Stacks(p, i)) continue;
                    any = true;
                    eligible += _amount[i];
                    units += line.Quantity;
                    _weights[i] = -1; // a buy line: covered, not discounted
                }
            }
            if (!any) return;
            long d = 0;
            long needed = 0;
            string? nextZh = null, nextEn = null;
            switch (p.Mechanic)
            {
                case ThresholdOff t:
                    if (eligible >= t.Threshold) d = t.AmountOff;
                    else (needed, nextZh, nextEn) = (t.Threshold - eligible, p.Label.Zh, p.Label.En);
                    break;
                case RepeatingThresholdOff r:
                    {
                        var steps = eligible / r.Step;
                        d = checked(steps * r.AmountOff);
                        if (r.Cap is { } cap) d = Math.Min(d, cap);
                        if (r.Cap is null || checked((steps + 1) * r.AmountOff) <= r.Cap)
                            (needed, nextZh, nextEn) = ((steps + 1) * r.Step - eligible, p.Label.Zh, p.Label.En);
                        break;
                    }
                case TieredThresholdOff tiered:
                    foreach (var tier in tiered.Tiers)
                    {
                        if (eligible >= tier.Threshold) d = Math.Max(d, tier.AmountOff);
                        else if (nextZh is null || tier.Threshold - eligible < needed)
                            (needed, nextZh, nextEn) = (tier.Threshold - eligible, $"满{Labels.Yuan(tier.Threshold)}减{Labels.Yuan(tier.AmountOff)}",
                                $"¥{Labels.Yuan(tier.AmountOff)} off ¥{Labels.Yuan(tier.Threshold)}");
                    }
                    break;
                case ThresholdPercentOff tp:
                    if (eligible >= tp.Threshold) d = (long)((Int128)eligible * tp.PercentOff / 100);
                    else (needed, nextZh, nextEn) = (tp.Threshold - eligible, p.Label.Zh, p.Label.En);
                    break;
                case QuantityPercentOff qp:
                    {
                        var percent = 0;
                        foreach (var tier in qp.Tiers)
                        {
                            if (units >= tier.Quantity) percent = Math.Max(percent, tier.PercentOff);
                            else if (_record && (nextZh is null || tier.Quantity - units < needed))
                                (needed, nextZh, nextEn) = (tier.Quantity - units, $"{tier.Quantity}件{Labels.Zhe(tier.PercentOff)}", $"{tier.PercentOff}% off {tier.Quantity} items");
                        }
                        d = (long)((Int128)eligible * percent / 100);
                        if (nextZh is not null && _record)
                        {
                            _next.Add(new NextThreshold(p.Id, storeIndex >= 0 ? _stores[storeIndex] : null, 0,
                                $"再买{needed}件可享{nextZh}", $"Add {needed} more item(s) to get {nextEn}"));
                            nextZh = null;
                        }
                        break;
                    }
                case BuyXGetY b:
                    {
                        var sets = units / b.Buy;
                        if (!b.Repeating) sets = Math.Min(sets, 1);
                        var free = Math.Min(sets * b.Get, getUnits);
                        d = getUnits == 0 ? 0 : (long)((Int128)getAmount * free * b.PercentOff / (getUnits * 100));
                        for (var i = 0; i < _n; i++) if (_weights[i] > 0) available += _weights[i];
                        break;
                    }
                case GiftWithPurchase gift:
                    if (eligible >= gift.Threshold)
                    {
                        if (_record) _gifts.Add(new GiftLine(p.Id, gift.GiftSku, gift.Quantity));
                        MarkApplied(p);
                    }
                    else (needed, nextZh, nextEn) = (gift.Threshold - eligible, p.Label.Zh, p.Label.En);
                    break;
            }
            if (_record && nextZh is not null && needed > 0)
                _next.Add(new NextThreshold(p.Id, storeIndex >= 0 ? _stores[storeIndex] : null, needed,
                    $"再买{Labels.Price(needed)}可享{nextZh}", $"Add {Labels.Price(needed)} more to get {nextEn}"));
            d = Math.Min(d, available);
            if (d <= 0) return;
            MarkApplied(p);
            for (var i = 0; i < _n; i++) if (_weights[i] < 0) _weights[i] = 0;
            Distribute(d, p.PlatformPercent, DiscountSource.Promotion, p.Id, p.Promotion.Name, p.Stage,
                storeIndex >= 0 ? _stores[storeIndex] : null, eligible, p);
        }

        private void MarkApplied(CompiledPromotion p)
        {
            for (var i = 0; i < _n; i++) if (_weights[i] != 0) _applied[i].Add(p.Ordinal);
        }

        private long PromotionValueOnPrefix(CompiledPromotion p)
        {
            // Upper bound of what a platform promotion can take in any coupon combination: its value on the highest amounts.
            var saved = _record;
            _record = false;
            RestorePrefix();
            long before = 0, after = 0;
            for (var i = 0; i < _n; i++) before += _amount[i];
            ApplyPromotion(p);
            for (var i = 0; i < _n; i++) after += _amount[i];
            RestorePrefix();
            _record = saved;
            return before - after;
        }

        /// <summary>
        /// An upper bound of what a promotion stage can take in any coupon combination. Each promotion alone on the highest
        /// amounts bounds itself; promotions of one exclusivity group never share a line, so the group is also bounded by the
        /// best rate (discount per fen of eligible amount) available on each line. The tighter of the two is used per group.
        /// </summary>
        private StageBoundModel StageBound(Stage stage)
        {
            var model = new StageBoundModel();
            Dictionary<string, StageBoundModel.Group>? groups = null;
            foreach (var o in _stageCandidates[(int)stage])
            {
                var p = _all[o];
                var standalone = PromotionValueOnPrefix(p);
                if (standalone == 0) continue;
                if (p.Promotion.ExclusivityGroup is not { } g || Rate(p.Mechanic) is not { } rate)
                {
                    model.Fixed += standalone;
                    continue;
                }
                groups ??= new Dictionary<string, StageBoundModel.Group>(StringComparer.Ordinal);
                if (!groups.TryGetValue(g, out var group)) groups[g] = group = new StageBoundModel.Group(new long[_n], new long[_n]);
                group.Standalone += standalone;
                var k = _position[o];
                for (var m = _matchStart[k]; m < _matchStart[k + 1]; m++)
                {
                    var i = _matchLines[m];
                    // the larger fraction num/den (compared by cross-multiplying) bounds every promotion of the group on this line
                    if (group.Den[i] == 0 || (Int128)rate.Num * group.Den[i] > (Int128)group.Num[i] * rate.Den)
                        (group.Num[i], group.Den[i]) = rate;
                }
            }
            if (groups is not null) model.Groups.AddRange(groups.Values);
            return model;
        }

        /// <summary>
        /// What a promotion stage can still take: promotions outside rate-bounded exclusivity groups by their standalone value on
        /// the prefix prices (fixed), each group by the smaller of its members' standalone values and the best rate on each line
        /// applied to the prices at the node. Every price only falls through the pipeline, and each bound only grows with prices,
        /// so evaluated at a node's prices it bounds every completion of that node.
        /// </summary>
        private sealed class StageBoundModel
        {
            public long Fixed;
            public readonly List<Group> Groups = [];

            public sealed class Group(long[] num, long[] den)
            {
                public long Standalone;
                public readonly long[] Num = num;
                public readonly long[] Den = den;
            }

            public long At(long[] amounts, int n)
            {
                var bound = Fixed;
                foreach (var g in Groups)
                {
                    long byRate = 0;
                    for (var i = 0; i < n; i++)
                        if (g.Den[i] != 0) byRate += (long)(((Int128)amounts[i] * g.Num[i] + g.Den[i] - 1) / g.Den[i]);
                    bound += Math.Min(g.Standalone, byRate);
                }
                return bound;
            }
        }

        /// <summary>The largest discount per fen of eligible amount a threshold-type mechanic can give; null when it has no such rate.</summary>
        private static (long Num, long Den)? Rate(Mechanic mechanic)
        {
            switch (mechanic)
            {
                case ThresholdOff t: return t.Threshold > 0 ? (t.AmountOff, t.Threshold) : null;
                case RepeatingThresholdOff r: return r.Step > 0 ? (r.AmountOff, r.Step) : null;
                case ThresholdPercentOff tp: return (tp.PercentOff, 100);
                case QuantityPercentOff qp:
                    {
                        var best = 0;
                        foreach (var tier in qp.Tiers) best = Math.Max(best, tier.PercentOff);
                        return (best, 100);
                    }
                case TieredThresholdOff t:
                    {
                        (long Num, long Den) best = (0, 1);
                        foreach (var tier in t.Tiers)
                            if (tier.Threshold <= 0) return null;
                            else if ((Int128)tier.AmountOff * best.Den > (Int128)best.Num * tier.Threshold) best = (tier.AmountOff, tier.Threshold);
                        return best;
                    }
                default: return null;
            }
        }

        private long ShippingOnPrefix()
        {
            RestorePrefix();
            long total = Shipping();
            return total;
        }

        /// <summary>Waives each store's fee when a free-shipping promotion's threshold is met; returns the shipping still paid.</summary>
        private long Shipping()
        {
            _shippingPaid.Clear();
            long total = 0;
            for (var s = 0; s < _stores.Count; s++)
            {
                var fee = _shippingFee[s];
                var paid = fee;
                foreach (var o in _shippingCandidates)
                {
                    // Outside the explained run only the fee matters: a waived or free store needs no more checks.
                    if (!_record && paid == 0) break;
                    var p = _all[o];
                    var fs = (FreeShipping)p.Mechanic;
                    long eligible = 0;
                    var any = false;
                    var k = _position[o];
                    for (var m = _matchStart[k]; m < _matchStart[k + 1]; m++)
                    {
                        var i = _matchLines[m];
                        if (_storeOf[i] != s) continue;
                        eligible += _amount[i];
                        any = true;
                    }
                    if (!any) continue;
                    if (eligible >= fs.Threshold)
                    {
                        if (fee > 0 && paid > 0)
                        {
                            paid = 0;
                            if (_record)
                            {
                                var platform = (long)((Int128)fee * p.PlatformPercent / 100);
                                _orderDiscounts.Add(new OrderDiscount(DiscountSource.Promotion, p.Id, p.Promotion.Name, Stage.Shipping, _stores[s], eligible, fee,
                                    platform, fee - platform, new Dictionary<string, long>(StringComparer.Ordinal) { [_stores[s]] = fee }));
                            }
                        }
                    }
                    else if (_record && fee > 0 && paid > 0)
                        _next.Add(new NextThreshold(p.Id, _stores[s], fs.Threshold - eligible,
                            $"再买{Labels.Price(fs.Threshold - eligible)}可享{p.Label.Zh}", $"Add {Labels.Price(fs.Threshold - eligible)} more to get {p.Label.En}"));
                }
                _shippingPaid.Add(paid);
                total += paid;
            }
            return total;
        }

        private PricedCart Build(List<string> used)
        {
            var stepsByLine = new List<LineStep>[_n];
            for (var i = 0; i < _n; i++) stepsByLine[i] = [];
            foreach (var s in _steps)
                stepsByLine[s.Line].Add(new LineStep(s.Source, s.Id, s.Name, s.Stage, s.Amount, s.Platform, s.Amount - s.Platform));
            var priced = new PricedLine[_n];
            long list = 0, goods = 0, deposit = 0, platform = 0, merchant = 0;
            var storeList = new long[_stores.Count];
            var storeGoods = new long[_stores.Count];
            var storePlatform = new long[_stores.Count];
            var storeMerchant = new long[_stores.Count];
            for (var i = 0; i < _n; i++)
            {
                var line = _lines[i];
                long linePlatform = 0, lineMerchant = 0;
                foreach (var st in stepsByLine[i])
                {
                    linePlatform += st.PlatformFunded;
                    lineMerchant += st.MerchantFunded;
                }
                var lineDeposit = _floor[i];
                priced[_inputPosition[i]] = new PricedLine(line.LineId, line.Sku, line.Store, line.Quantity, line.UnitListPrice, _list[i],
                    stepsByLine[i], _list[i] - _amount[i], _amount[i], lineDeposit, _amount[i] - lineDeposit);
                list += _list[i];
                goods += _amount[i];
                deposit += lineDeposit;
                platform += linePlatform;
                merchant += lineMerchant;
                var s = _storeOf[i];
                storeList[s] += _list[i];
                storeGoods[s] += _amount[i];
                storePlatform[s] += linePlatform;
                storeMerchant[s] += lineMerchant;
            }
            long shippingFee = 0, shippingPaid = 0;
            var stores = new StoreTotals[_stores.Count];
            for (var s = 0; s < _stores.Count; s++)
            {
                var waived = _shippingFee[s] - _shippingPaid[s];
                long waivedPlatform = 0;
                foreach (var od in _orderDiscounts)
                    if (od.Stage == Stage.Shipping && od.Store == _stores[s]) waivedPlatform += od.PlatformFunded;
                stores[s] = new StoreTotals(_stores[s], storeList[s], storeList[s] - storeGoods[s], storeGoods[s], _shippingFee[s], waived, _shippingPaid[s],
                    storePlatform[s] + waivedPlatform, storeMerchant[s] + waived - waivedPlatform);
                shippingFee += _shippingFee[s];
                shippingPaid += _shippingPaid[s];
                platform += waivedPlatform;
                merchant += waived - waivedPlatform;
            }
            var total = goods + shippingPaid;
            return new PricedCart(priced, stores, [.. _orderDiscounts], used, [.. _unused], [.. _gifts], [.. _next],
                list, list - goods, goods, shippingFee, shippingFee - shippingPaid, shippingPaid, total, deposit, total - deposit,
                platform, merchant, _combinations, [.. _heldOut]);
        }
    }

    private sealed class LineIdComparer : IComparer<CartLine>
    {
        public static readonly LineIdComparer Instance = new();

        public int Compare(CartLine? x, CartLine? y) => string.CompareOrdinal(x!.LineId, y!.LineId);
    }
}
