using Flywheel.Analytics.Contracts;
using System.Data.Common;
using Flywheel.Storage;

namespace Flywheel.Analytics.Index;

/// <summary>
/// Brings an <see cref="EventIndex"/> up to date with committed ingests without a rebuild (ADR 0002, "Appends"): reads
/// only the rows the ingests named (<see cref="IngestChanges"/>) and lays out a new index in which every visitor, event
/// and order sits where a rebuild from the store would put it. The old index is not touched, so queries keep reading
/// it until the new one is published.
/// </summary>
internal static class EventIndexAppender
{
    private const int Chunk = 500;

    /// <summary>
    /// The index with <paramref name="changes"/> applied, or null when they need a rebuild instead: a change the keys do
    /// not describe (settings, raw SQL), or more events than a rebuild would take to read.
    /// </summary>
    public static async Task<EventIndex?> AppendAsync(FlywheelStore store, EventIndex old, IReadOnlyList<IngestChanges> changes, CancellationToken ct)
    {
        // A build's snapshot may already hold ingests whose changes were queued while it ran.
        changes = [.. changes.Where(c => old.SnapshotIngests?.Contains(c.IngestId) != true)];
        if (changes.Count == 0) return old;
        if (changes.Any(c => c.Everything)) return null;
        var eventIds = changes.SelectMany(c => c.Events).ToList();
        if (eventIds.Count > IngestChanges.MaxTrackedEvents) return null;

        var delta = new Delta { Links = [.. changes.SelectMany(c => c.Links)] };
        var ordinal = store.Dialect.Engine == SqlEngine.Postgres ? " COLLATE \"C\"" : "";
        await using var connection = await store.OpenConnectionAsync(ct);

        var position = new Dictionary<string, int>(eventIds.Count, StringComparer.Ordinal);
        foreach (var id in eventIds) position.TryAdd(id, position.Count);
        var events = new List<(int Position, DeltaEvent Event)>(eventIds.Count);
        foreach (var chunk in position.Keys.Chunk(Chunk))
        {
            await foreach (var r in EventIndexBuilder.Rows(connection,
                               $"SELECT event_id, customer_id, anonymous_id, type, time, channel, source, medium, campaign, sku, kol_id, value FROM events WHERE event_id IN ({Parameters(chunk.Length)})",
                               ct, chunk))
            {
                events.Add((position[r.GetString(0)], new DeltaEvent(
                    EventIndexBuilder.Text(r, 1), EventIndexBuilder.Text(r, 2), r.GetString(3), r.GetInt64(4), EventIndexBuilder.Text(r, 5),
                    EventIndexBuilder.Text(r, 6), EventIndexBuilder.Text(r, 7), EventIndexBuilder.Text(r, 8), EventIndexBuilder.Text(r, 9),
                    EventIndexBuilder.Text(r, 10), r.IsDBNull(11) ? 0 : r.GetInt64(11))));
            }
        }
        // A rebuild breaks ties between equal times by row order: insertion order on SQLite, (ingest, event id) on
        // PostgreSQL, whose heap order an UPDATE changes (EventIndexBuilder).
        if (store.Dialect.Engine == SqlEngine.Postgres)
        {
            var ingestOf = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var c in changes)
                foreach (var id in c.Events) ingestOf[id] = c.IngestId;
            var idOf = position.ToDictionary(p => p.Value, p => p.Key);
            events.Sort((a, b) =>
            {
                var byIngest = ingestOf[idOf[a.Position]].CompareTo(ingestOf[idOf[b.Position]]);
                return byIngest != 0 ? byIngest : CodePointOrder.Instance.Compare(idOf[a.Position], idOf[b.Position]);
            });
        }
        else events.Sort((a, b) => a.Position.CompareTo(b.Position));
        delta.Events = [.. events.Select(e => e.Event)];

        var customers = changes.SelectMany(c => c.Customers).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var chunk in customers.Chunk(Chunk))
            await foreach (var r in EventIndexBuilder.Rows(connection,
                               $"SELECT customer_id, province FROM customers WHERE customer_id IN ({Parameters(chunk.Length)})", ct, chunk))
                delta.Customers.Add((r.GetString(0), EventIndexBuilder.Text(r, 1)));

        var products = changes.SelectMany(c => c.Products).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var chunk in products.Chunk(Chunk))
            await foreach (var r in EventIndexBuilder.Rows(connection,
                               $"SELECT sku, category FROM products WHERE sku IN ({Parameters(chunk.Length)})", ct, chunk))
                delta.Products.Add((r.GetString(0), r.GetString(1)));

        // A changed order is re-read with every other paid order of its customer (and of its previous owner, should it
        // have moved), so the customer's orders are laid out from the store exactly as a rebuild would.
        var changedOrders = changes.SelectMany(c => c.Orders).ToHashSet(StringComparer.Ordinal);
        if (changedOrders.Count > 0)
        {
            for (var v = 0; v < old.VisitorCount; v++)
                for (var o = old.OrderStart[v]; o < old.OrderStart[v + 1]; o++)
                    if (changedOrders.Contains(old.OrderIds[o]))
                    {
                        // A guest order's visitor is laid out with the anonymous ones: only a rebuild places it.
                        if (!old.IsCustomer[v]) return null;
                        delta.OrderCustomers.Add(old.VisitorKeys[v]);
                    }
            foreach (var chunk in changedOrders.Chunk(Chunk))
                await foreach (var r in EventIndexBuilder.Rows(connection,
                                   $"SELECT customer_id FROM orders WHERE order_id IN ({Parameters(chunk.Length)})", ct, chunk))
                {
                    if (r.IsDBNull(0)) return null;
                    delta.OrderCustomers.Add(r.GetString(0));
                }
            foreach (var chunk in delta.OrderCustomers.ToArray().Chunk(Chunk))
                await EventIndexBuilder.ReadOrdersAsync(connection, delta.Orders.Add, $"customer_id IN ({Parameters(chunk.Length)})", chunk, ordinal, ct);
        }

        if (changes.Any(c => c.SpendChanged))
        {
            delta.Spend = [];
            await foreach (var r in EventIndexBuilder.Rows(connection, "SELECT date, channel, campaign, cost, impressions, clicks FROM ad_spend", ct))
                delta.Spend.Add((DateOnly.ParseExact(r.GetString(0), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.GetString(1),
                    r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? 0 : r.GetInt64(4), r.IsDBNull(5) ? 0 : r.GetInt64(5)));
        }
        return Merge(old, delta);
    }

    private static string Parameters(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => "@p" + i));

    internal sealed record DeltaEvent(string? CustomerId, string? AnonymousId, string Type, long TimeMs, string? Channel, string? Source, string? Medium,
        string? Campaign, string? Sku, string? Kol, long Value)
    {
        public string VisitorKey => CustomerId ?? "~" + AnonymousId;
    }

    /// <summary>The rows an append applies, read from the store.</summary>
    internal sealed class Delta
    {
        public List<DeltaEvent> Events { get; set; } = [];
        public List<(string CustomerId, string? Province)> Customers { get; } = [];
        public List<(string Sku, string Category)> Products { get; } = [];
        public List<(string AnonymousId, string CustomerId)> Links { get; init; } = [];
        /// <summary>Customers whose paid orders are all replaced by <see cref="Orders"/> (which may hold none for one).</summary>
        public HashSet<string> OrderCustomers { get; } = new(StringComparer.Ordinal);
        public List<OrderFact> Orders { get; } = [];
        /// <summary>All ad spend rows when spend changed, else null (the old columns stay).</summary>
        public List<(DateOnly Date, string Channel, string Campaign, long Cost, long Impressions, long Clicks)>? Spend { get; set; }
    }

    /// <summary>Dictionaries of the new index: the old ones until a value they lack arrives, then a private copy.</summary>
    private sealed class Tables(EventIndex old)
    {
        private readonly StringTable?[] _copies = new StringTable?[10];

        public StringTable Types => Get(0, old.Types);
        public StringTable Channels => Get(1, old.Channels);
        public StringTable Sources => Get(2, old.Sources);
        public StringTable Mediums => Get(3, old.Mediums);
        public StringTable Campaigns => Get(4, old.Campaigns);
        public StringTable Skus => Get(5, old.Skus);
        public StringTable Kols => Get(6, old.Kols);
        public StringTable Stores => Get(7, old.Stores);
        public StringTable Categories => Get(8, old.Categories);
        public StringTable Provinces => Get(9, old.Provinces);

        private StringTable Get(int slot, StringTable original) => _copies[slot] ?? original;

        public int Encode(int slot, string? value)
        {
            if (value is null) return StringTable.None;
            var table = slot switch
            {
                0 => Types, 1 => Channels, 2 => Sources, 3 => Mediums, 4 => Campaigns, 5 => Skus, 6 => Kols, 7 => Stores, 8 => Categories, _ => Provinces,
            };
            var code = table.Find(value);
            if (code >= 0) return code;
            return (_copies[slot] ??= table.Clone()).Encode(value);
        }

        public ushort Encode16(int slot, string? value)
        {
            var code = Encode(slot, value);
            return code <= ushort.MaxValue ? (ushort)code
                : throw new InvalidOperationException($"more than {ushort.MaxValue} distinct values in a 16-bit column ({value})");
        }
    }

    /// <summary>
    /// Lays out old + delta. Visitors: customers in ordinal key order, then anonymous visitors in order of first
    /// arrival (those the delta links to a customer leave, and their events join the customer's). A visitor's events
    /// are ordered by (time in ms, arrival) as in a rebuild; unchanged runs of visitors are block copies.
    /// </summary>
    internal static EventIndex? Merge(EventIndex old, Delta d)
    {
        var tables = new Tables(old);

        // --- products: the SKU -> category map (orders take their category from it at the end) ---
        var skuCategory = new List<int>(old.SkuCategory);
        foreach (var (sku, category) in d.Products)
        {
            var code = tables.Encode(5, sku);
            while (skuCategory.Count <= code) skuCategory.Add(0);
            skuCategory[code] = tables.Encode(8, category);
        }

        // --- visitors ---
        var lookup = old.VisitorLookup;
        var customerCount = 0;
        while (customerCount < old.VisitorCount && old.IsCustomer[customerCount]) customerCount++;
        for (var v = customerCount; v < old.VisitorCount; v++)
            if (old.IsCustomer[v]) return null; // not laid out by a build from the store

        var newCustomers = new SortedSet<string>(CodePointOrder.Instance);
        void Customer(string key)
        {
            if (!lookup.ContainsKey(key)) newCustomers.Add(key);
        }
        foreach (var (id, _) in d.Customers) Customer(id);
        foreach (var e in d.Events) if (e.CustomerId is not null) Customer(e.CustomerId);
        foreach (var o in d.Orders) Customer(o.CustomerId!); // read by customer id: never a guest order
        foreach (var (_, customer) in d.Links) Customer(customer);

        var keys = new List<string>(old.VisitorCount + newCustomers.Count);
        var isCustomer = new List<bool>(old.VisitorCount + newCustomers.Count);
        var oldToNew = new int[old.VisitorCount];
        var newToOld = new List<int>(old.VisitorCount + newCustomers.Count);
        var next = 0;
        foreach (var key in newCustomers)
        {
            while (next < customerCount && CodePointOrder.Instance.Compare(old.VisitorKeys[next], key) < 0) AddOld(next++);
            keys.Add(key);
            isCustomer.Add(true);
            newToOld.Add(-1);
        }
        while (next < customerCount) AddOld(next++);
        void AddOld(int v)
        {
            oldToNew[v] = keys.Count;
            keys.Add(old.VisitorKeys[v]);
            isCustomer.Add(old.IsCustomer[v]);
            newToOld.Add(v);
        }

        var linked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (anonymous, customer) in d.Links) linked.TryAdd("~" + anonymous, customer);
        var newIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
            if (newToOld[i] < 0) newIndexOf[keys[i]] = i;
        int NewIdOfKey(string key) => lookup.TryGetValue(key, out var o) && oldToNew[o] >= 0 ? oldToNew[o] : newIndexOf[key];

        // Old anonymous visitors stay in order; linked ones merge into their customer (an extra source of old rows).
        var extraSources = new Dictionary<int, List<int>>();
        for (var v = customerCount; v < old.VisitorCount; v++)
        {
            if (linked.TryGetValue(old.VisitorKeys[v], out var customer))
            {
                var target = NewIdOfKey(customer);
                oldToNew[v] = -1;
                if (!extraSources.TryGetValue(target, out var list)) extraSources[target] = list = [];
                list.Add(v);
                continue;
            }
            AddOld(v);
        }
        foreach (var e in d.Events)
        {
            if (e.CustomerId is not null) continue;
            var key = e.VisitorKey;
            if (lookup.ContainsKey(key) || newIndexOf.ContainsKey(key)) continue;
            newIndexOf[key] = keys.Count;
            keys.Add(key);
            isCustomer.Add(false);
            newToOld.Add(-1);
        }
        var visitors = keys.Count;

        // --- events ---
        var deltaVisitor = new int[d.Events.Count];
        for (var i = 0; i < d.Events.Count; i++) deltaVisitor[i] = NewIdOfKey(d.Events[i].VisitorKey);
        var deltaStart = new int[visitors + 1];
        foreach (var v in deltaVisitor) deltaStart[v + 1]++;
        for (var v = 0; v < visitors; v++) deltaStart[v + 1] += deltaStart[v];
        var deltaRows = new int[d.Events.Count];
        var fill = (int[])deltaStart.Clone();
        for (var i = 0; i < d.Events.Count; i++) deltaRows[fill[deltaVisitor[i]]++] = i;

        var eventStart = new int[visitors + 1];
        for (var v = 0; v < visitors; v++)
        {
            var count = deltaStart[v + 1] - deltaStart[v];
            var own = newToOld[v];
            if (own >= 0) count += old.EventStart[own + 1] - old.EventStart[own];
            if (extraSources.TryGetValue(v, out var extra))
                foreach (var x in extra) count += old.EventStart[x + 1] - old.EventStart[x];
            eventStart[v + 1] = eventStart[v] + count;
        }
        var n = eventStart[visitors];
        var columns = new EventColumns(n);
        var valueRows = new List<int>(old.ValueRows.Length + d.Events.Count);
        var valueAmounts = new List<long>(old.ValueRows.Length + d.Events.Count);
        var deltaCodes = EncodeEvents(d.Events, tables);

        var run = new Run();
        for (var v = 0; v < visitors; v++)
        {
            var own = newToOld[v];
            var merged = deltaStart[v + 1] > deltaStart[v] || extraSources.ContainsKey(v);
            if (!merged)
            {
                if (own < 0) continue;
                var from = old.EventStart[own];
                var length = old.EventStart[own + 1] - from;
                if (!run.Extend(from, eventStart[v], length))
                {
                    run.Flush(old, columns, valueRows, valueAmounts);
                    run = new Run { OldFrom = from, NewFrom = eventStart[v], Length = length };
                }
                continue;
            }
            run.Flush(old, columns, valueRows, valueAmounts);
            run = new Run();

            // (ms, arrival): the visitor's own old rows, then rows of anonymous ids just linked to it, then new rows.
            var rows = new List<(long Ms, int Sequence, int Source)>(eventStart[v + 1] - eventStart[v]);
            void OldRows(int ov)
            {
                for (var r = old.EventStart[ov]; r < old.EventStart[ov + 1]; r++)
                    rows.Add((EventIndex.ToUnixMs(old.EventTime[r]) + old.EventMillis[r], rows.Count, r));
            }
            if (own >= 0) OldRows(own);
            if (extraSources.TryGetValue(v, out var extra))
                foreach (var x in extra) OldRows(x);
            for (var i = deltaStart[v]; i < deltaStart[v + 1]; i++)
                rows.Add((d.Events[deltaRows[i]].TimeMs, rows.Count, -1 - deltaRows[i]));
            rows.Sort();
            var at = eventStart[v];
            foreach (var (_, _, source) in rows)
            {
                if (source >= 0)
                {
                    columns.CopyFrom(old, source, at);
                    var value = old.EventValue(source);
                    if (value != 0)
                    {
                        valueRows.Add(at);
                        valueAmounts.Add(value);
                    }
                }
                else
                {
                    var i = -1 - source;
                    var e = d.Events[i];
                    columns.Set(at, e.TimeMs, deltaCodes[i]);
                    if (e.Value != 0)
                    {
                        valueRows.Add(at);
                        valueAmounts.Add(e.Value);
                    }
                }
                at++;
            }
        }
        run.Flush(old, columns, valueRows, valueAmounts);

        // --- orders: customers the delta names get theirs from the store; the others keep theirs ---
        var replaced = new Dictionary<int, List<OrderFact>>();
        foreach (var key in d.OrderCustomers) replaced[NewIdOfKey(key)] = [];
        foreach (var o in d.Orders) replaced[NewIdOfKey(o.CustomerId!)].Add(o);
        var orderStart = new int[visitors + 1];
        for (var v = 0; v < visitors; v++)
        {
            var own = newToOld[v];
            var count = replaced.TryGetValue(v, out var list) ? list.Count : own >= 0 ? old.OrderStart[own + 1] - old.OrderStart[own] : 0;
            orderStart[v + 1] = orderStart[v] + count;
        }
        var m = orderStart[visitors];
        var orderIds = new string[m];
        var orderTime = new int[m];
        var orderChannel = new ushort[m];
        var orderStore = new ushort[m];
        var orderGmv = new long[m];
        var orderRefund = new long[m];
        var orderUnits = new int[m];
        var orderSku = new int[m];
        for (var v = 0; v < visitors; v++)
        {
            var at = orderStart[v];
            if (replaced.TryGetValue(v, out var list))
            {
                // Read in order id order; a stable sort by paid time keeps it among equal times, as a rebuild does.
                foreach (var o in list.Select((o, i) => (o, i)).OrderBy(x => x.o.PaidMs).ThenBy(x => x.i).Select(x => x.o))
                {
                    orderIds[at] = o.OrderId;
                    orderTime[at] = EventIndex.ToIndexTime(o.PaidMs);
                    orderChannel[at] = tables.Encode16(1, o.Channel);
                    orderStore[at] = tables.Encode16(7, o.Store);
                    orderGmv[at] = o.Gmv;
                    orderRefund[at] = o.Refund;
                    orderUnits[at] = o.Units;
                    orderSku[at] = tables.Encode(5, o.TopSku);
                    at++;
                }
                continue;
            }
            var own = newToOld[v];
            if (own < 0) continue;
            var from = old.OrderStart[own];
            var length = old.OrderStart[own + 1] - from;
            Array.Copy(old.OrderIds, from, orderIds, at, length);
            Array.Copy(old.OrderPaidTime, from, orderTime, at, length);
            Array.Copy(old.OrderChannel, from, orderChannel, at, length);
            Array.Copy(old.OrderStore, from, orderStore, at, length);
            Array.Copy(old.OrderGmv, from, orderGmv, at, length);
            Array.Copy(old.OrderRefund, from, orderRefund, at, length);
            Array.Copy(old.OrderUnits, from, orderUnits, at, length);
            Array.Copy(old.OrderSku, from, orderSku, at, length);
        }
        var firstOrder = new int[visitors];
        for (var v = 0; v < visitors; v++) firstOrder[v] = orderStart[v] < orderStart[v + 1] ? orderTime[orderStart[v]] : int.MaxValue;

        // --- provinces ---
        var province = new ushort[visitors];
        for (var v = 0; v < visitors; v++) province[v] = newToOld[v] >= 0 ? old.VisitorProvince[newToOld[v]] : (ushort)0;
        foreach (var (id, name) in d.Customers) province[NewIdOfKey(id)] = tables.Encode16(9, name);

        // --- spend: all of it again when it changed ---
        int[] spendDay = old.SpendDay, spendCampaign = old.SpendCampaign;
        ushort[] spendChannel = old.SpendChannel;
        long[] spendCost = old.SpendCost, spendImpressions = old.SpendImpressions, spendClicks = old.SpendClicks;
        if (d.Spend is { } spend)
        {
            spendDay = [.. spend.Select(s => s.Date.DayNumber)];
            spendChannel = [.. spend.Select(s => tables.Encode16(1, s.Channel))];
            spendCampaign = [.. spend.Select(s => tables.Encode(4, s.Campaign.Length == 0 ? null : s.Campaign))];
            spendCost = [.. spend.Select(s => s.Cost)];
            spendImpressions = [.. spend.Select(s => s.Impressions)];
            spendClicks = [.. spend.Select(s => s.Clicks)];
        }
        while (skuCategory.Count < tables.Skus.Count) skuCategory.Add(0);
        var orderCategory = new int[m];
        for (var o = 0; o < m; o++) orderCategory[o] = skuCategory[orderSku[o]];

        return new EventIndex
        {
            VisitorKeys = [.. keys],
            IsCustomer = [.. isCustomer],
            VisitorProvince = province,
            EventStart = eventStart,
            EventTime = columns.Time,
            EventMillis = columns.Millis,
            EventType = columns.Type,
            EventChannel = columns.Channel,
            EventSource = columns.Source,
            EventMedium = columns.Medium,
            EventCampaign = columns.Campaign,
            EventSku = columns.Sku,
            EventKol = columns.Kol,
            ValueRows = [.. valueRows],
            ValueAmounts = [.. valueAmounts],
            OrderStart = orderStart,
            OrderIds = orderIds,
            OrderPaidTime = orderTime,
            OrderChannel = orderChannel,
            OrderStore = orderStore,
            OrderGmv = orderGmv,
            OrderRefund = orderRefund,
            OrderUnits = orderUnits,
            OrderCategory = orderCategory,
            OrderSku = orderSku,
            FirstOrderTime = firstOrder,
            SpendDay = spendDay,
            SpendChannel = spendChannel,
            SpendCampaign = spendCampaign,
            SpendCost = spendCost,
            SpendImpressions = spendImpressions,
            SpendClicks = spendClicks,
            Types = tables.Types,
            Channels = tables.Channels,
            Sources = tables.Sources,
            Mediums = tables.Mediums,
            Campaigns = tables.Campaigns,
            Skus = tables.Skus,
            Kols = tables.Kols,
            Stores = tables.Stores,
            Categories = tables.Categories,
            Provinces = tables.Provinces,
            SkuCategory = [.. skuCategory],
            TimeZone = old.TimeZone,
            SnapshotIngests = old.SnapshotIngests,
        };
    }

    /// <summary>
    /// The order of the stores' customer keys: SQLite's BINARY and PostgreSQL's "C" collation compare UTF-8 bytes,
    /// which is code point order (UTF-16 ordinal order differs for characters above the surrogate range).
    /// </summary>
    private sealed class CodePointOrder : IComparer<string>
    {
        public static readonly CodePointOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").AsSpan();
            var b = (y ?? "").AsSpan();
            while (!a.IsEmpty && !b.IsEmpty)
            {
                System.Text.Rune.DecodeFromUtf16(a, out var ra, out var na);
                System.Text.Rune.DecodeFromUtf16(b, out var rb, out var nb);
                if (ra.Value != rb.Value) return ra.Value.CompareTo(rb.Value);
                a = a[na..];
                b = b[nb..];
            }
            return a.Length.CompareTo(b.Length);
        }
    }

    private readonly record struct EventCodes(ushort Type, ushort Channel, ushort Source, ushort Medium, int Campaign, int Sku, int Kol);

    private static EventCodes[] EncodeEvents(List<DeltaEvent> events, Tables tables)
    {
        var codes = new EventCodes[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            codes[i] = new EventCodes(tables.Encode16(0, e.Type), tables.Encode16(1, e.Channel), tables.Encode16(2, e.Source), tables.Encode16(3, e.Medium),
                tables.Encode(4, e.Campaign), tables.Encode(5, e.Sku), tables.Encode(6, e.Kol));
        }
        return codes;
    }

    /// <summary>The event columns of the new index.</summary>
    private sealed class EventColumns(int n)
    {
        public readonly int[] Time = new int[n], Campaign = new int[n], Sku = new int[n], Kol = new int[n];
        public readonly ushort[] Millis = new ushort[n], Type = new ushort[n], Channel = new ushort[n], Source = new ushort[n], Medium = new ushort[n];

        public void CopyFrom(EventIndex old, int from, int to, int length = 1)
        {
            Array.Copy(old.EventTime, from, Time, to, length);
            Array.Copy(old.EventMillis, from, Millis, to, length);
            Array.Copy(old.EventType, from, Type, to, length);
            Array.Copy(old.EventChannel, from, Channel, to, length);
            Array.Copy(old.EventSource, from, Source, to, length);
            Array.Copy(old.EventMedium, from, Medium, to, length);
            Array.Copy(old.EventCampaign, from, Campaign, to, length);
            Array.Copy(old.EventSku, from, Sku, to, length);
            Array.Copy(old.EventKol, from, Kol, to, length);
        }

        public void Set(int at, long timeMs, EventCodes codes)
        {
            Time[at] = EventIndex.ToIndexTime(timeMs);
            Millis[at] = EventIndex.MillisOf(timeMs);
            Type[at] = codes.Type;
            Channel[at] = codes.Channel;
            Source[at] = codes.Source;
            Medium[at] = codes.Medium;
            Campaign[at] = codes.Campaign;
            Sku[at] = codes.Sku;
            Kol[at] = codes.Kol;
        }
    }

    /// <summary>A run of old rows that land, unchanged and in order, at consecutive new rows: one block copy.</summary>
    private struct Run
    {
        public int OldFrom, NewFrom, Length;

        public bool Extend(int oldFrom, int newFrom, int length)
        {
            if (Length == 0 || oldFrom != OldFrom + Length || newFrom != NewFrom + Length) return false;
            Length += length;
            return true;
        }

        public readonly void Flush(EventIndex old, EventColumns columns, List<int> valueRows, List<long> valueAmounts)
        {
            if (Length == 0) return;
            columns.CopyFrom(old, OldFrom, NewFrom, Length);
            var at = Array.BinarySearch(old.ValueRows, OldFrom);
            if (at < 0) at = ~at;
            for (; at < old.ValueRows.Length && old.ValueRows[at] < OldFrom + Length; at++)
            {
                valueRows.Add(old.ValueRows[at] - OldFrom + NewFrom);
                valueAmounts.Add(old.ValueAmounts[at]);
            }
        }
    }
}
