using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Flywheel.Primitives;
using Flywheel.Storage.Contracts;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Flywheel.Storage;

/// <summary>
/// One all-or-nothing write into the record: an import of one file, one HTTP batch, one demo build.
/// Everything written goes into a single transaction that <see cref="CommitAsync"/> makes visible;
/// disposing without committing leaves the store exactly as it was. Rows are validated by the caller; the
/// checks here are the ones only the store can make (unknown SKU, an identity owned by someone else).
/// Not thread-safe: one session, one thread.
/// </summary>
public sealed class IngestSession : IAsyncDisposable
{
    private readonly FlywheelStore _store;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly bool _holdsWriteLock;
    private readonly long _now;
    private readonly HashSet<string> _knownCustomers = new(StringComparer.Ordinal);
    private readonly List<string> _pendingCustomers = [];
    private readonly Dictionary<string, long?> _listPrices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbCommand? _insertEvent;
    private DbParameter[]? _eventParameters;
    private sqlite3_stmt? _rawInsertEvent;
    private sqlite3_stmt? _rawBareCustomer;
    private readonly HashSet<string> _unstitchedAnonymousIds = new(StringComparer.Ordinal);
    private bool _committed;
    private readonly IngestChanges _changes;
    private long _inserted, _updated, _unchanged, _duplicates, _bareCustomers, _bareProducts, _stitched;

    private IngestSession(FlywheelStore store, DbConnection connection, DbTransaction transaction, bool holdsWriteLock, long ingestId, long now)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
        _holdsWriteLock = holdsWriteLock;
        IngestId = ingestId;
        _now = now;
        _changes = new IngestChanges(ingestId);
    }

    /// <summary>The id of this ingest in the ingests table; rows it creates carry it.</summary>
    public long IngestId { get; }

    public SqlEngine Engine => _store.Dialect.Engine;

    public static async Task<IngestSession> BeginAsync(FlywheelStore store, string kind, string source, CancellationToken ct)
    {
        var locked = false;
        if (store.Dialect.Engine == SqlEngine.Sqlite)
        {
            await store.WriteLock.WaitAsync(ct);
            locked = true;
        }
        DbConnection? connection = null;
        try
        {
            connection = await store.OpenConnectionAsync(ct);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO ingests (kind, source, started_at) VALUES (@k, @s, @t) RETURNING id";
            command.AddParameter("@k", kind);
            command.AddParameter("@s", source);
            command.AddParameter("@t", now);
            var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct));
            return new IngestSession(store, connection, transaction, locked, id, now);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            if (locked) store.WriteLock.Release();
            throw;
        }
    }

    public IngestCounts Counts => new(_inserted, _updated, _unchanged, _duplicates, _bareCustomers, _bareProducts, _stitched);

    /// <summary>Stores an event unless its event id is already stored (then Duplicate or DuplicateInIngest).</summary>
    public WriteOutcome WriteEvent(EventRow e)
    {
        if (e.CustomerId is not null) EnsureCustomer(e.CustomerId);
        else if (e.AnonymousId is not null) _unstitchedAnonymousIds.Add(e.AnonymousId);

        var inserted = _connection is SqliteConnection sqlite ? InsertEventSqlite(sqlite, e) : InsertEventAdo(e);
        if (inserted)
        {
            _changes.Event(e.EventId);
            _inserted++;
            return WriteOutcome.Inserted;
        }
        _duplicates++;
        var owner = Scalar("SELECT ingest_id FROM events WHERE event_id = @p0", e.EventId);
        return owner is not null && Convert.ToInt64(owner) == IngestId ? WriteOutcome.DuplicateInIngest : WriteOutcome.Duplicate;
    }

    private const string InsertEventSql = """
        INSERT INTO events (event_id, type, time, customer_id, anonymous_id, channel, source, medium, campaign,
                            content, term, kol_id, sku, value, properties, ingest_id)
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15)
        ON CONFLICT (event_id) DO NOTHING
        """;

    private bool InsertEventAdo(EventRow e)
    {
        if (_insertEvent is null)
        {
            _insertEvent = NewCommand(InsertEventSql);
            var types = new[] { DbType.String, DbType.String, DbType.Int64, DbType.String, DbType.String, DbType.String, DbType.String, DbType.String,
                DbType.String, DbType.String, DbType.String, DbType.String, DbType.String, DbType.Int64, DbType.String, DbType.Int64 };
            _eventParameters = new DbParameter[types.Length];
            for (var i = 0; i < types.Length; i++)
                _eventParameters[i] = _insertEvent.AddParameter("@p" + i, types[i]);
            _insertEvent.Prepare();
        }
        var p = _eventParameters!;
        p[0].Value = e.EventId;
        p[1].Value = e.Type;
        p[2].Value = e.Time;
        p[3].Value = (object?)e.CustomerId ?? DBNull.Value;
        p[4].Value = (object?)e.AnonymousId ?? DBNull.Value;
        p[5].Value = (object?)e.Channel ?? DBNull.Value;
        p[6].Value = (object?)e.Source ?? DBNull.Value;
        p[7].Value = (object?)e.Medium ?? DBNull.Value;
        p[8].Value = (object?)e.Campaign ?? DBNull.Value;
        p[9].Value = (object?)e.Content ?? DBNull.Value;
        p[10].Value = (object?)e.Term ?? DBNull.Value;
        p[11].Value = (object?)e.KolId ?? DBNull.Value;
        p[12].Value = (object?)e.Sku ?? DBNull.Value;
        p[13].Value = e.Value.HasValue ? e.Value.Value : DBNull.Value;
        p[14].Value = (object?)e.Properties ?? DBNull.Value;
        p[15].Value = IngestId;
        return _insertEvent.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// The SQLite hot path of <see cref="WriteEvent"/>: the same prepared statement driven through SQLitePCL directly.
    /// Microsoft.Data.Sqlite looks every parameter up by name and builds a data reader on each execution: about twice
    /// the CPU per row of this path (measured on 10,000-row batches), and this write runs under the store's single
    /// writer lock, so it bounds HTTP ingest. Binding by position with UTF-16 spans allocates nothing.
    /// It runs on the session's connection inside its transaction, and is reset after every step so no statement
    /// stays active when the transaction commits or rolls back.
    /// </summary>
    private bool InsertEventSqlite(SqliteConnection connection, EventRow e)
    {
        var db = connection.Handle!;
        var s = _rawInsertEvent ??= PrepareRaw(db, InsertEventSql);
        BindText(s, 1, e.EventId);
        BindText(s, 2, e.Type);
        raw.sqlite3_bind_int64(s, 3, e.Time);
        BindText(s, 4, e.CustomerId);
        BindText(s, 5, e.AnonymousId);
        BindText(s, 6, e.Channel);
        BindText(s, 7, e.Source);
        BindText(s, 8, e.Medium);
        BindText(s, 9, e.Campaign);
        BindText(s, 10, e.Content);
        BindText(s, 11, e.Term);
        BindText(s, 12, e.KolId);
        BindText(s, 13, e.Sku);
        if (e.Value is { } value) raw.sqlite3_bind_int64(s, 14, value);
        else raw.sqlite3_bind_null(s, 14);
        BindText(s, 15, e.Properties);
        raw.sqlite3_bind_int64(s, 16, IngestId);
        return StepRaw(db, s) == 1;
    }

    private static sqlite3_stmt PrepareRaw(sqlite3 db, string sql)
    {
        var prepared = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (prepared == raw.SQLITE_OK) return statement;
        statement.Dispose();
        throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), prepared);
    }

    /// <summary>Runs a bound statement to completion and resets it; returns the rows it changed.</summary>
    private static int StepRaw(sqlite3 db, sqlite3_stmt statement)
    {
        var stepped = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (stepped != raw.SQLITE_DONE)
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), stepped);
        return raw.sqlite3_changes(db);
    }

    private static void BindText(sqlite3_stmt statement, int index, string? text)
    {
        if (text is null) raw.sqlite3_bind_null(statement, index);
        else raw.sqlite3_bind_text16(statement, index, text.AsSpan());
    }

    /// <summary>
    /// Links an anonymous id to a customer (an identify call) and stitches the anonymous id's earlier events to
    /// the customer. Returns the number of events stitched, or a conflict if the anonymous id already belongs to
    /// another customer (the first identification wins: a shared device must not merge two people).
    /// </summary>
    public Result<int> Identify(string anonymousId, string customerId, long at, string? sourceEventId)
    {
        var existing = Scalar("SELECT customer_id FROM identity_links WHERE anonymous_id = @p0", anonymousId) as string;
        if (existing is not null && existing != customerId)
            return Error.Conflict("anonymous_id", $"anonymous id '{anonymousId}' is already linked to customer '{existing}'");
        EnsureCustomer(customerId);
        if (existing is null)
        {
            Run("INSERT INTO identity_links (anonymous_id, customer_id, linked_at, source_event_id) VALUES (@p0, @p1, @p2, @p3)",
                anonymousId, customerId, at, sourceEventId);
            _changes.Link(anonymousId, customerId);
        }
        var stitched = Run("UPDATE events SET customer_id = @p0 WHERE customer_id IS NULL AND anonymous_id = @p1", customerId, anonymousId);
        _stitched += stitched;
        return stitched;
    }

    public Result<WriteOutcome> UpsertCustomer(CustomerRow c) => UpsertCustomer(c, null);

    /// <summary>
    /// Creates or updates a customer with its identities and consents. The outcome is <see cref="WriteOutcome.Updated"/> when
    /// anything about a stored customer changed: an attribute, an identity added (a new phone or e-mail) or a consent changed.
    /// <paramref name="changed"/>, when given, receives what changed, by the CSV contract's field names (name, city, phone, email,
    /// taobao_id ...; consents), so a caller can say more than "updated".
    /// </summary>
    public Result<WriteOutcome> UpsertCustomer(CustomerRow c, ICollection<string>? changed)
    {
        ArgumentNullException.ThrowIfNull(c);
        foreach (var identity in c.Identities)
        {
            var owner = Scalar("SELECT customer_id FROM customer_identities WHERE kind = @p0 AND value = @p1", identity.Kind, identity.Value) as string;
            if (owner is not null && owner != c.CustomerId)
                return Error.Conflict(identity.Kind, $"{identity.Kind} '{identity.Value}' already belongs to customer '{owner}'");
        }

        var columns = CustomerColumns.Where(x => c.Present.HasFlag(x.Field)).ToArray();
        object?[]? before = null;
        if (changed is not null && columns.Length > 0)
        {
            var read = CachedCommand($"SELECT {string.Join(", ", columns.Select(x => x.Column))} FROM customers WHERE customer_id = @p0");
            Bind(read, [c.CustomerId]);
            using var reader = read.ExecuteReader();
            if (reader.Read())
            {
                before = new object?[columns.Length];
                for (var i = 0; i < columns.Length; i++) before[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
        }
        var key = "customer:" + (int)c.Present;
        if (!_commands.TryGetValue(key, out var command))
        {
            var names = columns.Select(x => x.Column).ToArray();
            var insertColumns = string.Join(", ", names.Prepend("customer_id").Concat(["created_at", "updated_at", "ingest_id"]));
            var values = string.Join(", ", Enumerable.Range(0, names.Length + 4).Select(i => "@p" + i));
            var conflict = names.Length == 0
                ? "DO NOTHING"
                : $"DO UPDATE SET {string.Join(", ", names.Select(n => $"{n} = excluded.{n}"))}, updated_at = excluded.updated_at " +
                  $"WHERE {string.Join(" OR ", names.Select(n => _store.Dialect.Differs("customers." + n, "excluded." + n)))}";
            command = NewCommand($"INSERT INTO customers ({insertColumns}) VALUES ({values}) ON CONFLICT (customer_id) {conflict} RETURNING ingest_id");
            _commands[key] = command;
        }
        var args = new List<object?> { c.CustomerId };
        args.AddRange(columns.Select(x => x.Get(c)));
        args.AddRange([_now, _now, IngestId]);
        Bind(command, [.. args]);
        var outcome = Outcome(command.ExecuteScalar());
        _knownCustomers.Add(c.CustomerId);
        if (outcome != WriteOutcome.Unchanged) _changes.Customer(c.CustomerId);
        if (changed is not null && outcome != WriteOutcome.Unchanged)
            for (var i = 0; i < columns.Length; i++)
                if (before is null || !SameValue(before[i], columns[i].Get(c)))
                    changed.Add(columns[i].Column);

        var more = false;
        foreach (var identity in c.Identities)
        {
            var added = Run("INSERT INTO customer_identities (kind, value, customer_id, created_at) VALUES (@p0, @p1, @p2, @p3) ON CONFLICT (kind, value) DO NOTHING",
                identity.Kind, identity.Value, c.CustomerId, _now);
            if (added == 0) continue;
            more = true;
            var column = IdentityColumn(identity.Kind);
            if (changed is not null && !changed.Contains(column)) changed.Add(column);
        }
        foreach (var consent in c.Consents)
        {
            if (!ChangeConsent(c.CustomerId, consent)) continue;
            more = true;
            if (changed is not null && !changed.Contains("consents")) changed.Add("consents");
        }
        if (more && outcome == WriteOutcome.Unchanged)
        {
            // The customer row is as stored, but an identity or a consent is new: the customer was updated.
            _unchanged--;
            _updated++;
            _changes.Customer(c.CustomerId);
            outcome = WriteOutcome.Updated;
        }
        return outcome;
    }

    /// <summary>The CSV contract's column of an identity kind (taobao → taobao_id; phone, email, wechat_openid are their own).</summary>
    private static string IdentityColumn(string kind) => kind is "taobao" or "jd" or "pinduoduo" or "douyin" ? kind + "_id" : kind;

    private static bool SameValue(object? stored, object? given) =>
        stored is null || given is null
            ? stored is null && given is null
            : string.Equals(Convert.ToString(stored, System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToString(given, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Records a consent change; a change older than the stored state is kept in history only.</summary>
    public void RecordConsent(string customerId, ConsentChange consent) => ChangeConsent(customerId, consent);

    /// <summary><see cref="RecordConsent"/>; true when the stored state changed.</summary>
    private bool ChangeConsent(string customerId, ConsentChange consent)
    {
        EnsureCustomer(customerId);
        var changed = Run($"""
            INSERT INTO customer_consents (customer_id, channel, purpose, status, changed_at, source) VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
            ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at, source = excluded.source
            WHERE customer_consents.status <> excluded.status AND customer_consents.changed_at <= excluded.changed_at
            """, customerId, consent.Channel, consent.Purpose, consent.Status, consent.ChangedAt, consent.Source);
        if (changed > 0)
        {
            Run("INSERT INTO consent_history (customer_id, channel, purpose, status, changed_at, source) VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
                customerId, consent.Channel, consent.Purpose, consent.Status, consent.ChangedAt, consent.Source);
            // Readers that keep consents (segments with consent("sms")) must see a withdrawal even when the customer row is unchanged.
            _changes.Customer(customerId);
        }
        return changed > 0;
    }

    public WriteOutcome UpsertProduct(ProductRow p)
    {
        var optional = ProductColumns.Where(x => p.Present.HasFlag(x.Field)).ToArray();
        var key = "product:" + (int)p.Present;
        if (!_commands.TryGetValue(key, out var command))
        {
            var names = new[] { "name", "category", "list_price", "currency" }.Concat(optional.Select(x => x.Column)).ToArray();
            var insertColumns = string.Join(", ", names.Prepend("sku").Concat(["created_at", "updated_at", "ingest_id"]));
            var values = string.Join(", ", Enumerable.Range(0, names.Length + 4).Select(i => "@p" + i));
            command = NewCommand($"""
                INSERT INTO products ({insertColumns}) VALUES ({values})
                ON CONFLICT (sku) DO UPDATE SET {string.Join(", ", names.Select(n => $"{n} = excluded.{n}"))}, updated_at = excluded.updated_at
                WHERE {string.Join(" OR ", names.Select(n => _store.Dialect.Differs("products." + n, "excluded." + n)))}
                RETURNING ingest_id
                """);
            _commands[key] = command;
        }
        var args = new List<object?> { p.Sku, p.Name, p.Category, p.ListPrice, p.Currency };
        args.AddRange(optional.Select(x => x.Get(p)));
        args.AddRange([_now, _now, IngestId]);
        Bind(command, [.. args]);
        _listPrices[p.Sku] = p.ListPrice;
        var outcome = Outcome(command.ExecuteScalar());
        if (outcome != WriteOutcome.Unchanged) _changes.Product(p.Sku);
        return outcome;
    }

    /// <summary>
    /// Writes an order with its lines, replacing a stored order with the same id if anything differs.
    /// Unknown SKUs are an error unless <paramref name="createMissingProducts"/>, which creates bare products.
    /// A customer not yet known is created bare.
    /// </summary>
    public Result<WriteOutcome> WriteOrder(OrderRow o, bool createMissingProducts)
    {
        ArgumentNullException.ThrowIfNull(o);
        // Every caller's parser checks the bounds with the field's place; this is the store's own guarantee that its sums fit.
        if (MoneyBounds.CheckOrder(o) is { } tooLarge) return tooLarge;
        for (var i = 0; i < o.Lines.Count; i++)
        {
            var line = o.Lines[i];
            if (ListPrice(line.Sku) is null && !createMissingProducts)
                return Error.NotFound($"lines[{i}].sku", $"unknown SKU '{line.Sku}' in order '{o.OrderId}': import the product first, or pass --create-missing");
        }
        var bare = new List<(string Sku, long? ListPrice)>();
        foreach (var line in o.Lines)
        {
            // A SKU created bare takes the first line's price as its list price, and so do the order's other lines of that SKU:
            // the same order written again then reads the same list prices and is unchanged.
            var listPrice = ListPrice(line.Sku);
            if (listPrice is null)
            {
                listPrice = line.UnitListPrice ?? line.UnitPrice;
                _listPrices[line.Sku] = listPrice;
                bare.Add((line.Sku, listPrice));
            }
            line.UnitListPrice ??= listPrice;
        }
        foreach (var line in bare)
        {
            Run("""
                INSERT INTO products (sku, name, category, list_price, currency, created_at, updated_at, ingest_id)
                VALUES (@p0, @p0, 'uncategorized', @p1, @p2, @p3, @p3, @p4) ON CONFLICT (sku) DO NOTHING
                """, line.Sku, line.ListPrice, o.Currency, _now, IngestId);
            _changes.Product(line.Sku);
            _bareProducts++;
        }
        if (o.CustomerId is not null) EnsureCustomer(o.CustomerId);

        long goods = 0, discount = 0, refund = 0;
        var refunds = new long[o.Lines.Count];
        for (var i = 0; i < o.Lines.Count; i++)
        {
            var line = o.Lines[i];
            goods = checked(goods + line.UnitPrice * line.Quantity);
            discount = checked(discount + line.LineDiscount);
            // Pro rata refund rounds down: the customer is never refunded more than was paid for those units.
            refunds[i] = line.RefundAmount ?? (long)((Int128)line.PaidAmount * line.RefundedQuantity / line.Quantity);
            refund = checked(refund + refunds[i]);
        }
        var totalPaid = checked(goods - discount + o.ShippingFee);
        var hash = ContentHash(o);

        const string columns = "order_id, customer_id, store, channel, status, currency, placed_at, paid_at, shipped_at, completed_at, refunded_at, " +
                               "goods_amount, discount_amount, shipping_fee, total_paid, refund_amount, coupon_codes, content_hash";
        var names = columns.Split(", ");
        var update = string.Join(", ", names.Skip(1).Select(n => $"{n} = excluded.{n}"));
        var result = Scalar($"""
            INSERT INTO orders ({columns}, created_at, updated_at, ingest_id)
            VALUES ({string.Join(", ", Enumerable.Range(0, names.Length + 3).Select(i => "@p" + i))})
            ON CONFLICT (order_id) DO UPDATE SET {update}, updated_at = excluded.updated_at
            WHERE orders.content_hash <> excluded.content_hash
            RETURNING ingest_id
            """, o.OrderId, o.CustomerId, o.Store, o.Channel, o.Status, o.Currency, o.PlacedAt, o.PaidAt, o.ShippedAt, o.CompletedAt, o.RefundedAt,
            goods, discount, o.ShippingFee, totalPaid, refund, o.CouponCodes, hash, _now, _now, IngestId);
        var outcome = Outcome(result);
        if (outcome == WriteOutcome.Unchanged) return outcome;
        _changes.Order(o.OrderId);
        if (outcome == WriteOutcome.Updated)
            Run("DELETE FROM order_lines WHERE order_id = @p0", o.OrderId);
        for (var i = 0; i < o.Lines.Count; i++)
        {
            var line = o.Lines[i];
            Run("""
                INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_list_price, unit_price, line_discount, paid_amount, refunded_quantity, refund_amount)
                VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)
                """, o.OrderId, i + 1, line.Sku, line.Quantity, line.UnitListPrice, line.UnitPrice, line.LineDiscount, line.PaidAmount, line.RefundedQuantity, refunds[i]);
        }
        if (outcome == WriteOutcome.Updated) ReapplyReturns(o.OrderId);
        return outcome;
    }

    /// <summary>
    /// Refunds the sold lines a return matches: the lines of the order it names, or else the customer's purchases of the SKU placed
    /// no later than the return, latest first, as far as each has units not yet refunded. Each matched piece refunds its line pro
    /// rata to what was paid (the last unit refunds the rest, so a line fully returned is refunded exactly what was paid), and the
    /// order becomes partially_refunded or refunded. What matches nothing is kept unmatched. A return already stored (same return id
    /// and line) is left alone, so importing a file again refunds nothing twice.
    /// </summary>
    public ReturnOutcome ApplyReturn(ReturnRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (Scalar("SELECT 1 FROM order_returns WHERE return_id = @p0 AND return_line = @p1", r.ReturnId, r.ReturnLine) is not null)
            return new ReturnOutcome(0, 0, 0, 0, AlreadyStored: true);
        var candidates = new List<(string OrderId, long LineNo, int Open, int Quantity, int Refunded, long Paid, long RefundAmount)>();
        if (r.OrderId is not null || r.CustomerId is not null)
        {
            var command = CachedCommand(r.OrderId is not null
                ? """
                  SELECT l.order_id, l.line_no, l.quantity, l.refunded_quantity, l.paid_amount, l.refund_amount FROM order_lines l JOIN orders o ON o.order_id = l.order_id
                  WHERE o.order_id = @p0 AND l.sku = @p1 AND l.refunded_quantity < l.quantity AND o.status NOT IN ('pending', 'cancelled')
                  ORDER BY l.line_no
                  """
                : """
                  SELECT l.order_id, l.line_no, l.quantity, l.refunded_quantity, l.paid_amount, l.refund_amount FROM order_lines l JOIN orders o ON o.order_id = l.order_id
                  WHERE o.customer_id = @p0 AND l.sku = @p1 AND l.refunded_quantity < l.quantity AND o.status NOT IN ('pending', 'cancelled') AND o.placed_at <= @p2
                  ORDER BY o.placed_at DESC, o.order_id DESC, l.line_no
                  """);
            Bind(command, r.OrderId is not null ? [r.OrderId, r.Sku] : [r.CustomerId, r.Sku, r.ReturnedAt]);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                int quantity = Convert.ToInt32(reader.GetValue(2)), refunded = Convert.ToInt32(reader.GetValue(3));
                candidates.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1)), quantity - refunded, quantity, refunded, reader.GetInt64(4), reader.GetInt64(5)));
            }
        }
        var left = r.Quantity;
        int matchedUnits = 0, piece = 0;
        long matchedAmount = 0;
        foreach (var c in candidates)
        {
            if (left == 0) break;
            var units = Math.Min(left, c.Open);
            var amount = RefundLine(c.OrderId, c.LineNo, units, c.Quantity, c.Refunded, c.Paid, c.RefundAmount, r.ReturnedAt);
            Run("""
                INSERT INTO order_returns (return_id, return_line, piece, customer_id, sku, quantity, amount, returned_at, order_id, line_no, ingest_id)
                VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10)
                """, r.ReturnId, r.ReturnLine, ++piece, r.CustomerId, r.Sku, units, amount, r.ReturnedAt, c.OrderId, c.LineNo, IngestId);
            left -= units;
            matchedUnits += units;
            matchedAmount = checked(matchedAmount + amount);
        }
        var unmatchedAmount = checked(r.UnitPrice * left);
        if (left > 0)
            Run("""
                INSERT INTO order_returns (return_id, return_line, piece, customer_id, sku, quantity, amount, returned_at, order_id, line_no, ingest_id)
                VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, NULL, NULL, @p8)
                """, r.ReturnId, r.ReturnLine, ++piece, r.CustomerId, r.Sku, left, unmatchedAmount, r.ReturnedAt, IngestId);
        return new ReturnOutcome(matchedUnits, matchedAmount, left, left > 0 ? unmatchedAmount : 0, AlreadyStored: false);
    }

    /// <summary>Refunds <paramref name="units"/> more units of one line; returns the money refunded for them.</summary>
    private long RefundLine(string orderId, long lineNo, int units, int quantity, int refunded, long paid, long refundAmount, long at)
    {
        var nowRefunded = refunded + units;
        var target = nowRefunded == quantity ? paid : (long)((Int128)paid * nowRefunded / quantity);
        var amount = Math.Max(0, Math.Min(target, paid) - refundAmount);
        Run("UPDATE order_lines SET refunded_quantity = @p0, refund_amount = refund_amount + @p1 WHERE order_id = @p2 AND line_no = @p3",
            nowRefunded, amount, orderId, lineNo);
        var open = Convert.ToInt64(Scalar("SELECT COALESCE(SUM(quantity - refunded_quantity), 0) FROM order_lines WHERE order_id = @p0", orderId));
        Run("""
            UPDATE orders SET refund_amount = refund_amount + @p0, status = @p1, updated_at = @p2,
                refunded_at = CASE WHEN refunded_at IS NULL OR refunded_at < @p3 THEN @p3 ELSE refunded_at END
            WHERE order_id = @p4
            """, amount, open == 0 ? "refunded" : "partially_refunded", _now, Math.Max(at, 0), orderId);
        _changes.Order(orderId);
        return amount;
    }

    /// <summary>
    /// An order rewritten from its source lost the refunds its returns made: they are made again, on the same line when it still
    /// sells the same SKU with units to refund, and otherwise the piece becomes unmatched.
    /// </summary>
    private void ReapplyReturns(string orderId)
    {
        var pieces = new List<(string ReturnId, long ReturnLine, long Piece, string Sku, int Quantity, long At, long LineNo)>();
        var command = CachedCommand("SELECT return_id, return_line, piece, sku, quantity, returned_at, line_no FROM order_returns WHERE order_id = @p0 ORDER BY returned_at, return_id, return_line, piece");
        Bind(command, [orderId]);
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                pieces.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)), reader.GetString(3),
                    Convert.ToInt32(reader.GetValue(4)), reader.GetInt64(5), Convert.ToInt64(reader.GetValue(6))));
        foreach (var p in pieces)
        {
            var line = CachedCommand("SELECT sku, quantity, refunded_quantity, paid_amount, refund_amount FROM order_lines WHERE order_id = @p0 AND line_no = @p1");
            Bind(line, [orderId, p.LineNo]);
            (string Sku, int Quantity, int Refunded, long Paid, long RefundAmount)? found = null;
            using (var reader = line.ExecuteReader())
                if (reader.Read())
                    found = (reader.GetString(0), Convert.ToInt32(reader.GetValue(1)), Convert.ToInt32(reader.GetValue(2)), reader.GetInt64(3), reader.GetInt64(4));
            if (found is { } l && l.Sku == p.Sku && l.Quantity - l.Refunded >= p.Quantity)
            {
                var amount = RefundLine(orderId, p.LineNo, p.Quantity, l.Quantity, l.Refunded, l.Paid, l.RefundAmount, p.At);
                Run("UPDATE order_returns SET amount = @p0 WHERE return_id = @p1 AND return_line = @p2 AND piece = @p3", amount, p.ReturnId, p.ReturnLine, p.Piece);
            }
            else
            {
                Run("UPDATE order_returns SET order_id = NULL, line_no = NULL WHERE return_id = @p0 AND return_line = @p1 AND piece = @p2", p.ReturnId, p.ReturnLine, p.Piece);
            }
        }
    }

    public WriteOutcome UpsertSpend(SpendRow s)
    {
        var result = Scalar($"""
            INSERT INTO ad_spend (date, channel, campaign, ad_group, impressions, clicks, cost, currency, ingest_id)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)
            ON CONFLICT (date, channel, campaign, ad_group) DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks,
                cost = excluded.cost, currency = excluded.currency
            WHERE {_store.Dialect.Differs("ad_spend.impressions", "excluded.impressions")} OR {_store.Dialect.Differs("ad_spend.clicks", "excluded.clicks")}
               OR ad_spend.cost <> excluded.cost OR ad_spend.currency <> excluded.currency
            RETURNING ingest_id
            """, s.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), s.Channel, s.Campaign, s.AdGroup,
            s.Impressions, s.Clicks, s.Cost, s.Currency, IngestId);
        var outcome = Outcome(result);
        if (outcome != WriteOutcome.Unchanged) _changes.Spend();
        return outcome;
    }

    public WriteOutcome UpsertContentPost(ContentPostRow p)
    {
        var changed = Run($"""
            INSERT INTO content_posts (post_id, kol_id, kol_name, kol_tier, channel, published_at, cost, currency)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)
            ON CONFLICT (post_id) DO UPDATE SET kol_id = excluded.kol_id, kol_name = excluded.kol_name, kol_tier = excluded.kol_tier,
                channel = excluded.channel, published_at = excluded.published_at, cost = excluded.cost, currency = excluded.currency
            """, p.PostId, p.KolId, p.KolName, p.KolTier, p.Channel, p.PublishedAt, p.Cost, p.Currency);
        return Count(changed > 0 ? WriteOutcome.Inserted : WriteOutcome.Unchanged);
    }

    /// <summary>Sets a store setting (see <see cref="FlywheelStore.GetSettingAsync"/>) inside this session's transaction.</summary>
    public void SetSetting(string key, string value)
    {
        _changes.MarkEverything();
        Run("INSERT INTO settings (key, value) VALUES (@p0, @p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    }

    /// <summary>
    /// Runs a statement inside this session's transaction (for the demo generator's bulk settings and similar). The
    /// store cannot tell what it changed, so readers of <see cref="IngestChanges"/> rebuild after this session.
    /// </summary>
    public int Execute(string sql, params object?[] args)
    {
        _changes.MarkEverything();
        return Run(sql, args);
    }

    private int Run(string sql, params object?[] args)
    {
        var command = CachedCommand(sql);
        Bind(command, args);
        return command.ExecuteNonQuery();
    }

    /// <summary>Makes everything written visible at once and records the ingest's counts.</summary>
    public async Task<IngestCounts> CommitAsync(long rowsRead, long rejected, CancellationToken ct)
    {
        FlushPendingCustomers();
        // Anonymous events of ids already linked to a customer become the customer's.
        if (_store.Dialect.Engine == SqlEngine.Sqlite)
        {
            // SQLite has one writer at a time, so no identification can commit between this session's first write and its commit:
            // the events of every other anonymous id were stitched when written or when their id was linked, and only this
            // session's ids need looking at. Looking at every unstitched event of the store made each commit cost as much as all
            // anonymous history (a tracking link's redirects, a store with 100,000 anonymous events: 300 ms a commit); and SQLite,
            // without statistics, would walk every event without a customer by ix_events_customer_time, so it is told to use the
            // partial index on the anonymous id.
            foreach (var chunk in _unstitchedAnonymousIds.Chunk(500))
            {
                using var stitch = NewCommand("""
                    UPDATE events INDEXED BY ix_events_unstitched
                    SET customer_id = (SELECT l.customer_id FROM identity_links l WHERE l.anonymous_id = events.anonymous_id)
                    WHERE customer_id IS NULL AND anonymous_id IN (SELECT anonymous_id FROM identity_links) AND anonymous_id IN (
                    """ + string.Join(", ", chunk.Select((_, i) => "@a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")");
                for (var i = 0; i < chunk.Length; i++) stitch.AddParameter("@a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), chunk[i]);
                _stitched += stitch.ExecuteNonQuery();
            }
        }
        else if (_unstitchedAnonymousIds.Count > 0)
        {
            // PostgreSQL writes concurrently: an identification may commit after this session's events were written and before
            // this commit, each side blind to the other's rows. Every commit with anonymous events therefore stitches every
            // unstitched event whose id is linked by now, not only its own, so such a race is repaired by the next commit.
            _stitched += Run("""
                UPDATE events SET customer_id = (SELECT l.customer_id FROM identity_links l WHERE l.anonymous_id = events.anonymous_id)
                WHERE customer_id IS NULL AND anonymous_id IN (SELECT anonymous_id FROM identity_links)
                """);
        }
        Run("UPDATE ingests SET finished_at = @p0, rows_read = @p1, inserted = @p2, updated = @p3, unchanged = @p4, rejected = @p5 WHERE id = @p6",
            _store.Time.GetUtcNow().ToUnixTimeMilliseconds(), rowsRead, _inserted, _updated, _unchanged + _duplicates, rejected, IngestId);
        await _transaction.CommitAsync(ct);
        _committed = true;
        _store.OnCommitted(_changes);
        var committed = _store.CommittedCustomers;
        if (committed.Count + _knownCustomers.Count > 1_000_000) committed.Clear();
        foreach (var id in _knownCustomers) committed.TryAdd(id, 0);
        return Counts;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed)
                await _transaction.RollbackAsync(CancellationToken.None);
        }
        finally
        {
            foreach (var command in _commands.Values) await command.DisposeAsync();
            if (_insertEvent is not null) await _insertEvent.DisposeAsync();
            _rawInsertEvent?.Dispose();
            _rawBareCustomer?.Dispose();
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
            if (_holdsWriteLock) _store.WriteLock.Release();
        }
    }

    private const string BareCustomerSql =
        "INSERT INTO customers (customer_id, created_at, updated_at, ingest_id) VALUES (@p0, @p1, @p1, @p2) ON CONFLICT (customer_id) DO NOTHING";

    private void EnsureCustomer(string customerId)
    {
        // The set only saves round trips; the unique key on customers is what guarantees one row per id.
        if (_knownCustomers.Count > 1_000_000) _knownCustomers.Clear();
        if (!_knownCustomers.Add(customerId)) return;
        if (_store.CommittedCustomers.ContainsKey(customerId)) return;
        // Created in key order when the session flushes: a B-tree takes sorted inserts far faster than the
        // random order in which events name their customers. Nothing reads them before the commit.
        _pendingCustomers.Add(customerId);
        if (_pendingCustomers.Count >= 100_000) FlushPendingCustomers();
    }

    private void FlushPendingCustomers()
    {
        if (_pendingCustomers.Count == 0) return;
        _pendingCustomers.Sort(StringComparer.Ordinal);
        foreach (var customerId in _pendingCustomers) InsertBareCustomer(customerId);
        _pendingCustomers.Clear();
    }

    private void InsertBareCustomer(string customerId)
    {
        if (_connection is SqliteConnection sqlite)
        {
            // Same hot path as InsertEventSqlite: an event batch ensures thousands of customers.
            var db = sqlite.Handle!;
            var s = _rawBareCustomer ??= PrepareRaw(db, BareCustomerSql);
            BindText(s, 1, customerId);
            raw.sqlite3_bind_int64(s, 2, _now);
            raw.sqlite3_bind_int64(s, 3, IngestId);
            if (StepRaw(db, s) == 1) BareCustomerCreated(customerId);
            return;
        }
        if (!_commands.TryGetValue("bare-customer", out var command))
        {
            command = NewCommand(BareCustomerSql);
            command.AddParameter("@p0", DbType.String);
            command.AddParameter("@p1", DbType.Int64);
            command.AddParameter("@p2", DbType.Int64);
            command.Prepare();
            _commands["bare-customer"] = command;
        }
        command.Parameters[0].Value = customerId;
        command.Parameters[1].Value = _now;
        command.Parameters[2].Value = IngestId;
        if (command.ExecuteNonQuery() == 1) BareCustomerCreated(customerId);
    }

    private void BareCustomerCreated(string customerId)
    {
        _bareCustomers++;
        _changes.Customer(customerId);
    }

    private long? ListPrice(string sku)
    {
        if (_listPrices.TryGetValue(sku, out var cached)) return cached;
        var value = Scalar("SELECT list_price FROM products WHERE sku = @p0", sku);
        long? price = value is null or DBNull ? null : Convert.ToInt64(value);
        _listPrices[sku] = price;
        return price;
    }

    private WriteOutcome Outcome(object? returnedIngestId) => Count(returnedIngestId switch
    {
        null or DBNull => WriteOutcome.Unchanged,
        var id when Convert.ToInt64(id) == IngestId => WriteOutcome.Inserted,
        _ => WriteOutcome.Updated,
    });

    private WriteOutcome Count(WriteOutcome outcome)
    {
        switch (outcome)
        {
            case WriteOutcome.Inserted: _inserted++; break;
            case WriteOutcome.Updated: _updated++; break;
            default: _unchanged++; break;
        }
        return outcome;
    }

    private object? Scalar(string sql, params object?[] args)
    {
        var command = CachedCommand(sql);
        Bind(command, args);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// One command per distinct SQL text for the session's life: re-preparing the same statement for every row cost
    /// most of an import's time (orders, customers, consents), as the demo generator measured.
    /// </summary>
    private DbCommand CachedCommand(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = NewCommand(sql);
            _commands[sql] = command;
        }
        return command;
    }

    private DbCommand NewCommand(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Bind(DbCommand command, object?[] args)
    {
        if (command.Parameters.Count == 0)
        {
            for (var i = 0; i < args.Length; i++) command.AddParameter("@p" + i, args[i]);
            return;
        }
        for (var i = 0; i < args.Length; i++) command.Parameters[i].Value = args[i] ?? DBNull.Value;
    }

    private static string ContentHash(OrderRow o)
    {
        var text = new StringBuilder();
        text.AppendJoin('\u001f', o.CustomerId, o.Store, o.Channel, o.Status, o.Currency, o.PlacedAt, o.PaidAt, o.ShippedAt, o.CompletedAt,
            o.RefundedAt, o.ShippingFee, o.CouponCodes);
        foreach (var l in o.Lines)
            text.Append('\u001e').AppendJoin('\u001f', l.Sku, l.Quantity, l.UnitPrice, l.UnitListPrice, l.LineDiscount, l.RefundedQuantity, l.RefundAmount);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }

    private sealed record ColumnOf<TRow, TField>(TField Field, string Column, Func<TRow, object?> Get);

    private static readonly ColumnOf<CustomerRow, CustomerFields>[] CustomerColumns =
    [
        new(CustomerFields.Name, "name", c => c.Name),
        new(CustomerFields.Gender, "gender", c => c.Gender),
        new(CustomerFields.BirthDate, "birth_date", c => c.BirthDate),
        new(CustomerFields.Province, "province", c => c.Province),
        new(CustomerFields.City, "city", c => c.City),
        new(CustomerFields.CityTier, "city_tier", c => c.CityTier),
        new(CustomerFields.SignupChannel, "signup_channel", c => c.SignupChannel),
        new(CustomerFields.SignupAt, "signup_at", c => c.SignupAt),
        new(CustomerFields.MemberTier, "member_tier", c => c.MemberTier),
        new(CustomerFields.TimeZone, "time_zone", c => c.TimeZone),
    ];

    private static readonly ColumnOf<ProductRow, ProductFields>[] ProductColumns =
    [
        new(ProductFields.Brand, "brand", p => p.Brand),
        new(ProductFields.Cost, "cost", p => p.Cost),
        new(ProductFields.Store, "store", p => p.Store),
        new(ProductFields.Tags, "tags", p => p.Tags),
    ];
}
