using Flywheel.Analytics.Contracts;
using System.Data.Common;
using Flywheel.Storage;
using Flywheel.Storage.Queries;

namespace Flywheel.Analytics.Index;

/// <summary>A paid order as the index keeps it: paid time in ms, money in fen, total units, and its largest line's SKU.</summary>
/// <summary>A paid order as the index keeps it; <see cref="CustomerId"/> is null for a guest order.</summary>
internal sealed record OrderFact(string OrderId, string? CustomerId, long PaidMs, string? Channel, string? Store, long Gmv, long Refund, int Units,
    string? TopSku);

/// <summary>
/// Builds an <see cref="EventIndex"/> from the store: reads customers, events, products, paid orders and ad spend
/// once each, then groups rows by visitor and sorts each visitor's rows by time. The store stays the truth: a
/// rebuild from the same store gives an identical index.
/// </summary>
internal static class EventIndexBuilder
{
    public static async Task<EventIndex> BuildAsync(FlywheelStore store, IProgress<IndexBuildProgress>? progress, CancellationToken ct)
    {
        var timeZone = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct);
        await using var connection = await store.OpenConnectionAsync(ct);
        // One snapshot for every read, with the ingests it holds: an append after this build skips those (EventIndexHost).
        await using var transaction = connection is Microsoft.Data.Sqlite.SqliteConnection lite
            ? lite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var ingests = new HashSet<long>();
        await foreach (var r in Rows(connection, "SELECT id FROM ingests WHERE finished_at IS NOT NULL", ct, transaction: transaction)) ingests.Add(r.GetInt64(0));
        var b = new Builder();

        // Customers first, in key order, so visitor ids do not depend on the order events arrived in.
        // Ordinal order on both engines (PostgreSQL would otherwise sort by the database's locale), so an append can
        // place a new customer exactly where a rebuild would.
        var ordinal = store.Dialect.Engine == SqlEngine.Postgres ? " COLLATE \"C\"" : "";
        await foreach (var r in Rows(connection, $"SELECT customer_id, province FROM customers ORDER BY customer_id{ordinal}", ct, transaction: transaction))
            b.AddCustomer(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
        progress?.Report(new IndexBuildProgress("customers", b.Visitors.Count));

        await foreach (var r in Rows(connection, "SELECT sku, category FROM products ORDER BY sku", ct, transaction: transaction))
            b.AddProduct(r.GetString(0), r.GetString(1));

        long events = 0;
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
            events = ReadEventsSqlite(sqlite, b, progress, ct);
        else
        // PostgreSQL returns rows in heap order, which an UPDATE (identify stitching) changes; ordering by ingest and
        // event id gives events with equal times one order that an append can reproduce (EventIndexAppender).
        await foreach (var r in Rows(connection, EventsSql + " ORDER BY ingest_id, event_id COLLATE \"C\"", ct, transaction: transaction))
        {
            b.AddEvent(
                r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetInt64(3),
                Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8), Text(r, 9), r.IsDBNull(10) ? 0 : r.GetInt64(10));
            if ((++events & 0xFFFFF) == 0) progress?.Report(new IndexBuildProgress("events", events));
        }
        progress?.Report(new IndexBuildProgress("events", events));

        var lineFacts = new Dictionary<string, (int Units, string? TopSku, long TopPaid)>(StringComparer.Ordinal);
        await ReadOrdersAsync(connection, b.AddOrder, "", [], ordinal, ct, transaction);
        progress?.Report(new IndexBuildProgress("orders", b.OrderCount));

        await foreach (var r in Rows(connection, "SELECT date, channel, campaign, cost, impressions, clicks FROM ad_spend", ct, transaction: transaction))
            b.AddSpend(DateOnly.ParseExact(r.GetString(0), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.GetString(1),
                r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? 0 : r.GetInt64(4), r.IsDBNull(5) ? 0 : r.GetInt64(5));

        return b.Build(timeZone, ingests);
    }

    /// <summary>
    /// Reads paid orders (all, or those matching <paramref name="where"/>) in order id order, so orders paid in the same
    /// millisecond keep one order on both engines. Each order's units and largest line come from its lines.
    /// </summary>
    internal static async Task ReadOrdersAsync(DbConnection connection, Action<OrderFact> add, string where, IReadOnlyList<object?> args, string ordinal,
        CancellationToken ct, DbTransaction? transaction = null)
    {
        var lineFacts = new Dictionary<string, (int Units, string? TopSku, long TopPaid)>(StringComparer.Ordinal);
        var lineWhere = where.Length == 0 ? "" : $"WHERE order_id IN (SELECT order_id FROM orders WHERE {where})";
        await foreach (var r in Rows(connection, $"SELECT order_id, sku, quantity, paid_amount FROM order_lines {lineWhere} ORDER BY order_id{ordinal}, line_no", ct, args, transaction))
        {
            var id = r.GetString(0);
            var (units, topSku, topPaid) = lineFacts.GetValueOrDefault(id);
            var paid = r.GetInt64(3);
            lineFacts[id] = (units + Convert.ToInt32(r.GetValue(2)), paid > topPaid || topSku is null ? r.GetString(1) : topSku, Math.Max(paid, topPaid));
        }
        var orderWhere = where.Length == 0 ? "" : $" AND ({where})";
        await foreach (var r in Rows(connection,
                           $"SELECT order_id, customer_id, COALESCE(paid_at, placed_at), channel, store, total_paid, refund_amount FROM orders " +
                           $"WHERE status IN ({StoreOverview.PaidStatuses}){orderWhere} ORDER BY order_id{ordinal}", ct, args, transaction))
        {
            var id = r.GetString(0);
            var facts = lineFacts.GetValueOrDefault(id);
            add(new OrderFact(id, Text(r, 1), r.GetInt64(2), Text(r, 3), Text(r, 4), r.GetInt64(5), r.GetInt64(6), facts.Units, facts.TopSku));
        }
    }

    private const string EventsSql = "SELECT customer_id, anonymous_id, type, time, channel, source, medium, campaign, sku, kol_id, value FROM events";

    /// <summary>
    /// The events read of a SQLite store, through SQLitePCL: columns arrive as UTF-8 spans and are dictionary-encoded
    /// without a string per field (ADO.NET's reader allocated one for each, a third of the build time).
    /// </summary>
    private static long ReadEventsSqlite(Microsoft.Data.Sqlite.SqliteConnection connection, Builder b, IProgress<IndexBuildProgress>? progress, CancellationToken ct)
    {
        var db = connection.Handle!;
        if (SQLitePCL.raw.sqlite3_prepare_v2(db, EventsSql, out var statement) != SQLitePCL.raw.SQLITE_OK)
            throw new InvalidOperationException(SQLitePCL.raw.sqlite3_errmsg(db).utf8_to_string());
        using (statement)
        {
            long rows = 0;
            int step;
            while ((step = SQLitePCL.raw.sqlite3_step(statement)) == SQLitePCL.raw.SQLITE_ROW)
            {
                b.AddEvent(statement);
                if ((++rows & 0xFFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Report(new IndexBuildProgress("events", rows));
                }
            }
            if (step != SQLitePCL.raw.SQLITE_DONE) throw new InvalidOperationException(SQLitePCL.raw.sqlite3_errmsg(db).utf8_to_string());
            return rows;
        }
    }

    internal static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static async IAsyncEnumerable<DbDataReader> Rows(DbConnection connection, string sql,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, IReadOnlyList<object?>? args = null,
        DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < (args?.Count ?? 0); i++) command.AddParameter("@p" + i, args![i]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return reader;
    }

    /// <summary>Collects rows in arrival order, then lays them out by visitor and time.</summary>
    internal sealed class Builder
    {
        public readonly Dictionary<string, int> Visitors = new(StringComparer.Ordinal);
        private readonly List<string> _keys = [];
        private readonly List<bool> _isCustomer = [];
        private readonly List<ushort> _province = [];
        private readonly StringTable _types = new(), _channels = new(), _sources = new(), _mediums = new(), _campaigns = new(),
            _skus = new(), _kols = new(), _stores = new(), _categories = new(), _provinces = new();
        private readonly List<int> _skuCategory = [0];

        private readonly GrowList<int> _eVisitor = new(), _eCampaign = new(), _eSku = new(), _eKol = new();
        private readonly GrowList<long> _eTime = new(), _eValue = new();
        private readonly GrowList<ushort> _eType = new(), _eChannel = new(), _eSource = new(), _eMedium = new();

        private readonly GrowList<int> _oVisitor = new(), _oUnits = new(), _oSku = new();
        private readonly GrowList<long> _oTime = new(), _oGmv = new(), _oRefund = new();
        private readonly List<string> _oId = [];
        private readonly GrowList<ushort> _oChannel = new(), _oStore = new();

        private readonly GrowList<int> _sDay = new(), _sCampaign = new();
        private readonly GrowList<ushort> _sChannel = new();
        private readonly GrowList<long> _sCost = new(), _sImpressions = new(), _sClicks = new();

        public int OrderCount => _oVisitor.Count;

        public Builder() => _visitorLookup = Visitors.GetAlternateLookup<ReadOnlySpan<char>>();

        public int Visitor(string key, bool isCustomer)
        {
            if (Visitors.TryGetValue(key, out var v)) return v;
            v = _keys.Count;
            Visitors[key] = v;
            _keys.Add(key);
            _isCustomer.Add(isCustomer);
            _province.Add(0);
            return v;
        }

        public void AddCustomer(string customerId, string? province)
        {
            var v = Visitor(customerId, isCustomer: true);
            _province[v] = checked((ushort)_provinces.Encode(province));
        }

        public void AddProduct(string sku, string category)
        {
            var code = _skus.Encode(sku);
            while (_skuCategory.Count <= code) _skuCategory.Add(0);
            _skuCategory[code] = _categories.Encode(category);
        }

        public void AddEvent(string? customerId, string? anonymousId, string type, long timeMs, string? channel, string? source, string? medium,
            string? campaign, string? sku, string? kol, long value)
        {
            _eVisitor.Add(customerId is not null ? Visitor(customerId, true) : Visitor("~" + anonymousId, false));
            _eTime.Add(timeMs);
            _eType.Add(Code16(_types, type));
            _eChannel.Add(Code16(_channels, channel));
            _eSource.Add(Code16(_sources, source));
            _eMedium.Add(Code16(_mediums, medium));
            _eCampaign.Add(_campaigns.Encode(campaign));
            _eSku.Add(_skus.Encode(sku));
            _eKol.Add(_kols.Encode(kol));
            _eValue.Add(value);
        }

        /// <summary>
        /// Adds the current row of <see cref="EventsSql"/> from a SQLite statement. An empty span is NULL (imports never
        /// store empty strings), and a NULL value reads as 0 (no value), which saves a type call per column. Each
        /// column remembers its previous bytes and code: rows arrive in insertion order, where a session's events share
        /// their type, channel and campaign, so most lookups are a short byte comparison.
        /// </summary>
        internal void AddEvent(SQLitePCL.sqlite3_stmt s)
        {
            int visitor;
            var id = SQLitePCL.raw.sqlite3_column_blob(s, 0);
            if (!id.IsEmpty)
            {
                if (_lastVisitor >= 0 && id.SequenceEqual(_lastVisitorBytes.AsSpan(0, _lastVisitorLength))) visitor = _lastVisitor;
                else
                {
                    visitor = _visitorLookup.TryGetValue(Chars(id), out var v) ? v : Visitor(System.Text.Encoding.UTF8.GetString(id), true);
                    Remember(id, ref _lastVisitorBytes, ref _lastVisitorLength);
                    _lastVisitor = visitor;
                }
            }
            else
            {
                visitor = Visitor("~" + System.Text.Encoding.UTF8.GetString(SQLitePCL.raw.sqlite3_column_blob(s, 1)), false);
                _lastVisitor = -1;
            }
            _eVisitor.Add(visitor);
            _eTime.Add(SQLitePCL.raw.sqlite3_column_int64(s, 3));
            _eType.Add((ushort)Decoders[0].Code(SQLitePCL.raw.sqlite3_column_blob(s, 2)));
            _eChannel.Add((ushort)Decoders[1].Code(SQLitePCL.raw.sqlite3_column_blob(s, 4)));
            _eSource.Add((ushort)Decoders[2].Code(SQLitePCL.raw.sqlite3_column_blob(s, 5)));
            _eMedium.Add((ushort)Decoders[3].Code(SQLitePCL.raw.sqlite3_column_blob(s, 6)));
            _eCampaign.Add(Decoders[4].Code(SQLitePCL.raw.sqlite3_column_blob(s, 7)));
            _eSku.Add(Decoders[5].Code(SQLitePCL.raw.sqlite3_column_blob(s, 8)));
            _eKol.Add(Decoders[6].Code(SQLitePCL.raw.sqlite3_column_blob(s, 9)));
            _eValue.Add(SQLitePCL.raw.sqlite3_column_int64(s, 10));
        }

        private int _lastVisitor = -1;
        private byte[] _lastVisitorBytes = new byte[64];
        private int _lastVisitorLength;
        private ColumnDecoder[]? _columnDecoders;

        private ColumnDecoder[] Decoders => _columnDecoders ??=
        [
            new(_types, 16), new(_channels, 16), new(_sources, 16), new(_mediums, 16), new(_campaigns, 32), new(_skus, 32), new(_kols, 32),
        ];

        private static void Remember(ReadOnlySpan<byte> bytes, ref byte[] buffer, ref int length)
        {
            if (buffer.Length < bytes.Length) buffer = new byte[bytes.Length * 2];
            bytes.CopyTo(buffer);
            length = bytes.Length;
        }

        private char[] _chars = new char[256];
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _visitorLookup;

        private ReadOnlySpan<char> Chars(ReadOnlySpan<byte> utf8)
        {
            if (_chars.Length < utf8.Length) _chars = new char[Math.Max(utf8.Length, _chars.Length * 2)];
            return _chars.AsSpan(0, System.Text.Encoding.UTF8.GetChars(utf8, _chars));
        }

        /// <summary>One dictionary-encoded column with a one-entry cache of its previous value.</summary>
        private sealed class ColumnDecoder(StringTable table, int bits)
        {
            private byte[] _last = new byte[64];
            private int _lastLength = -1;
            private int _lastCode;

            public int Code(ReadOnlySpan<byte> utf8)
            {
                if (utf8.IsEmpty) return StringTable.None;
                if (_lastLength == utf8.Length && utf8.SequenceEqual(_last.AsSpan(0, _lastLength))) return _lastCode;
                var code = table.Encode(utf8);
                if (bits == 16 && code > ushort.MaxValue)
                    throw new InvalidOperationException($"more than {ushort.MaxValue} distinct values in a 16-bit column");
                Remember(utf8, ref _last, ref _lastLength);
                _lastCode = code;
                return code;
            }
        }

        /// <summary>Adds a paid order with a made-up id (tests and benchmarks that build an index by hand).</summary>
        public void AddOrder(string customerId, long paidMs, string? channel, string? store, long gmv, long refund, int units, string? topSku) =>
            AddOrder(new OrderFact("#" + _oId.Count, customerId, paidMs, channel, store, gmv, refund, units, topSku));

        /// <summary>The visitor key of a guest order (anonymous visitors' keys start with '~' too).</summary>
        public static string GuestKey(string orderId) => "~guest-order:" + orderId;

        public void AddOrder(OrderFact o)
        {
            var (orderId, customerId, paidMs, channel, store, gmv, refund, units, topSku) = o;
            // A guest order is its own visitor, not a customer: it counts in GMV and orders and in no customer-level model.
            _oVisitor.Add(customerId is not null ? Visitor(customerId, true) : Visitor(GuestKey(orderId), false));
            _oId.Add(orderId);
            _oTime.Add(paidMs);
            _oChannel.Add(Code16(_channels, channel));
            _oStore.Add(Code16(_stores, store));
            _oGmv.Add(gmv);
            _oRefund.Add(refund);
            _oUnits.Add(units);
            var sku = _skus.Encode(topSku);
            _oSku.Add(sku);
        }

        public void AddSpend(DateOnly date, string channel, string campaign, long cost, long impressions, long clicks)
        {
            _sDay.Add(date.DayNumber);
            _sChannel.Add(Code16(_channels, channel));
            _sCampaign.Add(_campaigns.Encode(campaign.Length == 0 ? null : campaign));
            _sCost.Add(cost);
            _sImpressions.Add(impressions);
            _sClicks.Add(clicks);
        }

        internal static ushort Code16(StringTable table, string? value)
        {
            var code = table.Encode(value);
            return code <= ushort.MaxValue ? (ushort)code
                : throw new InvalidOperationException($"more than {ushort.MaxValue} distinct values in a 16-bit column ({value})");
        }

        public EventIndex Build(string timeZone, IReadOnlySet<long>? ingests = null)
        {
            var visitors = _keys.Count;
            var (eventStart, eventOrder) = Layout(_eVisitor, _eTime, visitors);
            var (orderStart, orderOrder) = Layout(_oVisitor, _oTime, visitors);
            var orderTime = Gather(_oTime, orderOrder, t => EventIndex.ToIndexTime(t));
            var firstOrder = new int[visitors];
            for (var v = 0; v < visitors; v++)
                firstOrder[v] = orderStart[v] < orderStart[v + 1] ? orderTime[orderStart[v]] : int.MaxValue;
            while (_skuCategory.Count < _skus.Count) _skuCategory.Add(0);
            var orderSku = Gather(_oSku, orderOrder, x => x);

            // The event columns are independent gathers through one permutation: run them on all cores.
            int[] eventTime = [], campaign = [], sku = [], kol = [];
            ushort[] millis = [], type = [], channel = [], source = [], medium = [];
            int[] valueRows = [];
            long[] valueAmounts = [];
            Parallel.Invoke(
                () => eventTime = Gather(_eTime, eventOrder, t => EventIndex.ToIndexTime(t)),
                () => millis = Gather(_eTime, eventOrder, EventIndex.MillisOf),
                () => type = Gather(_eType, eventOrder, x => x),
                () => channel = Gather(_eChannel, eventOrder, x => x),
                () => source = Gather(_eSource, eventOrder, x => x),
                () => medium = Gather(_eMedium, eventOrder, x => x),
                () => campaign = Gather(_eCampaign, eventOrder, x => x),
                () => sku = Gather(_eSku, eventOrder, x => x),
                () => kol = Gather(_eKol, eventOrder, x => x),
                () => (valueRows, valueAmounts) = Sparse(_eValue, eventOrder));

            return new EventIndex
            {
                VisitorKeys = [.. _keys],
                IsCustomer = [.. _isCustomer],
                VisitorProvince = [.. _province],
                EventStart = eventStart,
                EventTime = eventTime,
                EventMillis = millis,
                EventType = type,
                EventChannel = channel,
                EventSource = source,
                EventMedium = medium,
                EventCampaign = campaign,
                EventSku = sku,
                EventKol = kol,
                ValueRows = valueRows,
                ValueAmounts = valueAmounts,
                OrderStart = orderStart,
                OrderIds = [.. orderOrder.Select(i => _oId[i])],
                OrderPaidTime = orderTime,
                OrderChannel = Gather(_oChannel, orderOrder, x => x),
                OrderStore = Gather(_oStore, orderOrder, x => x),
                OrderGmv = Gather(_oGmv, orderOrder, x => x),
                OrderRefund = Gather(_oRefund, orderOrder, x => x),
                OrderUnits = Gather(_oUnits, orderOrder, x => x),
                OrderSku = orderSku,
                OrderCategory = [.. orderSku.Select(k => _skuCategory[k])],
                FirstOrderTime = firstOrder,
                SpendDay = _sDay.ToArray(),
                SpendChannel = _sChannel.ToArray(),
                SpendCampaign = _sCampaign.ToArray(),
                SpendCost = _sCost.ToArray(),
                SpendImpressions = _sImpressions.ToArray(),
                SpendClicks = _sClicks.ToArray(),
                Types = _types,
                Channels = _channels,
                Sources = _sources,
                Mediums = _mediums,
                Campaigns = _campaigns,
                Skus = _skus,
                Kols = _kols,
                Stores = _stores,
                Categories = _categories,
                Provinces = _provinces,
                SkuCategory = [.. _skuCategory],
                TimeZone = timeZone,
                SnapshotIngests = ingests,
            };
        }

        /// <summary>
        /// A counting sort by visitor, then a sort of each visitor's rows by (time, arrival): returns the CSR offsets and the
        /// permutation that lays the rows out. Stable, so equal times keep their arrival order and a rebuild is identical.
        /// </summary>
        private static (int[] Start, int[] Order) Layout(GrowList<int> visitor, GrowList<long> time, int visitors)
        {
            var n = visitor.Count;
            var start = new int[visitors + 1];
            for (var i = 0; i < n; i++) start[visitor[i] + 1]++;
            for (var v = 0; v < visitors; v++) start[v + 1] += start[v];
            var next = (int[])start.Clone();
            var order = new int[n];
            for (var i = 0; i < n; i++) order[next[visitor[i]]++] = i;
            var keys = new long[n];
            for (var i = 0; i < n; i++) keys[i] = time[order[i]];
            for (var v = 0; v < visitors; v++)
            {
                var from = start[v];
                var length = start[v + 1] - from;
                if (length > 1 && !IsSorted(keys, from, length))
                {
                    // Ties are broken by arrival (the order array within a visitor is ascending), so make it part of the key.
                    var tie = new (long, int)[length];
                    for (var i = 0; i < length; i++) tie[i] = (keys[from + i], order[from + i]);
                    Array.Sort(tie);
                    for (var i = 0; i < length; i++) order[from + i] = tie[i].Item2;
                }
            }
            return (start, order);
        }

        private static (int[] Rows, long[] Values) Sparse(GrowList<long> values, int[] order)
        {
            var rows = new List<int>();
            var amounts = new List<long>();
            for (var i = 0; i < order.Length; i++)
            {
                var value = values[order[i]];
                if (value == 0) continue;
                rows.Add(i);
                amounts.Add(value);
            }
            return ([.. rows], [.. amounts]);
        }

        private static bool IsSorted(long[] keys, int from, int length)
        {
            for (var i = from + 1; i < from + length; i++)
                if (keys[i] < keys[i - 1]) return false;
            return true;
        }

        private static TOut[] Gather<TIn, TOut>(GrowList<TIn> source, int[] order, Func<TIn, TOut> map) where TIn : struct
        {
            var result = new TOut[order.Length];
            for (var i = 0; i < order.Length; i++) result[i] = map(source[order[i]]);
            return result;
        }
    }

    /// <summary>A list of structs that grows in chunks, without the copy-on-grow of List for tens of millions of rows.</summary>
    internal sealed class GrowList<T> where T : struct
    {
        private const int ChunkBits = 16;
        private readonly List<T[]> _chunks = [];

        public int Count { get; private set; }

        public void Add(T value)
        {
            var chunk = Count >> ChunkBits;
            if (chunk == _chunks.Count) _chunks.Add(new T[1 << ChunkBits]);
            _chunks[chunk][Count & ((1 << ChunkBits) - 1)] = value;
            Count++;
        }

        public T this[int i] => _chunks[i >> ChunkBits][i & ((1 << ChunkBits) - 1)];

        public T[] ToArray()
        {
            var result = new T[Count];
            for (var i = 0; i < Count; i++) result[i] = this[i];
            return result;
        }
    }
}
