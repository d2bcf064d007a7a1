using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Flywheel.Promotions.Domain.Coupons;
using Flywheel.Storage;

namespace Flywheel.Promotions.Storage;

/// <summary>A coupon a customer claimed from a batch, valid in [ValidFrom, ValidTo).</summary>
internal sealed record ClaimedCoupon(string Code, string BatchId, string CustomerId, DateTimeOffset ValidFrom, DateTimeOffset ValidTo);

/// <summary>A coupon redeemed against an order for <see cref="Discount"/> fen (counted against the batch's budget).</summary>
internal sealed record CouponRedemption(string Code, string BatchId, string CustomerId, string OrderId, long Discount, DateTimeOffset RedeemedAt);

/// <summary>A redemption undone (refund, cancellation): the use and the <see cref="Discount"/> fen went back to the batch.</summary>
internal sealed record CouponRelease(string Code, string BatchId, string CustomerId, string OrderId, long Discount, string? Reason, DateTimeOffset ReleasedAt);

/// <summary>A coupon as its holder sees it; <see cref="State"/> is claimed, redeemed or expired (claimed, past its validity).</summary>
internal sealed record CustomerCoupon(string Code, string BatchId, string BatchName, CouponSpec Spec, string State,
    DateTimeOffset ValidFrom, DateTimeOffset ValidTo, string? OrderId, long? Discount);

/// <summary>Claim a coupon of <see cref="BatchId"/> for <see cref="CustomerId"/>; a repeat with the same key gets the first answer.</summary>
internal sealed record ClaimRequest(string? BatchId, string? CustomerId, string? IdempotencyKey);

/// <summary>Redeem <see cref="Code"/> on an order for <see cref="Discount"/> fen (what the order takes off for this coupon).</summary>
internal sealed record RedeemRequest(string? Code, string? OrderId, string? CustomerId, long? Discount, string? IdempotencyKey);

/// <summary>Undo the redemption of <see cref="Code"/> by <see cref="OrderId"/> (refund or cancellation).</summary>
internal sealed record ReleaseRequest(string? Code, string? OrderId, string? Reason, string? IdempotencyKey);

/// <summary>
/// The coupon ledger (migration 8): batches, codes, claims, redemptions and releases. Every counter (issued, redeemed,
/// spent, per-customer claimed and used) changes by one conditional UPDATE inside the operation's transaction, and
/// CHECK constraints make an over-issue or over-spend impossible; claim, redeem and release are idempotent per key: the
/// first answer (success or refusal) is stored with the key in the same transaction and returned to every repeat.
/// Expected refusals come back as <see cref="Error"/> values: <c>invalid</c> (bad input, nothing stored),
/// <c>not_found</c>, <c>conflict</c> (spent, expired, over a limit; the path names the limit), <c>forbidden</c> (another
/// customer's coupon), <c>idempotency_mismatch</c> (a key reused for a different request). Thread-safe. See
/// docs/adr/0006-coupon-redemption.md.
/// </summary>
internal static class CouponLedger
{
    public const int MaxKeyLength = 200;
    public const int MaxIdLength = 128;
    public const int MaxReasonLength = 500;
    public const int MaxGenerate = 10_000_000;
    private const int MaxAttempts = 8;

    public const string Forbidden = "forbidden";
    public const string IdempotencyMismatch = "idempotency_mismatch";

    /// <summary>How coupons are written as JSON (stored answers, the API): snake_case names and enum values (no_threshold).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Creates a batch without codes (claimable); a conflict when the id is taken.</summary>
    public static async Task<Result<CouponBatchStatus>> CreateBatchAsync(FlywheelStore store, CouponBatchDefinition batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(batch);
        return await WithRetryAsync(async () =>
        {
            await using var write = await StoreWrite.BeginAsync(store, ct);
            var inserted = await write.ExecuteAsync(
                "INSERT INTO coupon_batches (id, name, spec, total_quantity, budget, per_customer_claim_limit, per_customer_use_limit, " +
                "valid_from, valid_to, valid_days_after_claim, status, created_at) VALUES (@id, @name, @spec, @quantity, @budget, @claim, @use, " +
                "@from, @to, @days, 'active', @now) ON CONFLICT (id) DO NOTHING", ct,
                ("@id", batch.Id), ("@name", batch.Name), ("@spec", JsonSerializer.Serialize(batch.Spec, Json)), ("@quantity", batch.TotalQuantity),
                ("@budget", batch.Budget), ("@claim", batch.PerCustomerClaimLimit), ("@use", batch.PerCustomerUseLimit),
                ("@from", batch.ValidFrom?.ToUnixTimeMilliseconds()), ("@to", batch.ValidTo?.ToUnixTimeMilliseconds()), ("@days", batch.ValidDaysAfterClaim),
                ("@now", store.Time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (inserted == 0) return (Result<CouponBatchStatus>)Error.Conflict("id", $"a coupon batch with id '{batch.Id}' already exists; choose another id");
            var created = await GetBatchAsync(write.Connection, write.Transaction, batch.Id, ct);
            await write.CommitAsync(ct);
            return created!;
        }, ct);
    }

    /// <summary>The batch with its counters, or null when there is none with that id.</summary>
    public static async Task<CouponBatchStatus?> GetBatchAsync(FlywheelStore store, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        return await GetBatchAsync(connection, null, id, ct);
    }

    /// <summary>
    /// Generates <paramref name="count"/> unclaimed codes in the batch (bearer codes, e.g. for printed cards): bound to the
    /// first customer who redeems one. They count against the batch's total quantity; a conflict when fewer remain.
    /// </summary>
    public static async Task<Result<IReadOnlyList<string>>> GenerateAsync(FlywheelStore store, string batchId, int count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (CouponBatches.CheckId(batchId, "batch_id") is { } badId) return badId;
        if (count is < 1 or > MaxGenerate) return Error.Invalid("count", $"count is {count}; generate 1 to {MaxGenerate} codes at a time");
        return await WithRetryAsync(async () =>
        {
            await using var write = await StoreWrite.BeginAsync(store, ct);
            var reserved = await write.ExecuteAsync(
                "UPDATE coupon_batches SET issued = issued + @n WHERE id = @id AND status = 'active' AND issued + @n <= total_quantity", ct,
                ("@n", (long)count), ("@id", batchId));
            var batch = await GetBatchAsync(write.Connection, write.Transaction, batchId, ct);
            if (batch is null) return (Result<IReadOnlyList<string>>)Error.NotFound("batch_id", $"there is no coupon batch '{batchId}'");
            if (reserved == 0)
                return batch.Status != "active"
                    ? Error.Conflict("batch_id", $"batch '{batchId}' is {batch.Status}; codes are generated only for an active batch")
                    : Error.Conflict("total_quantity", $"batch '{batchId}' has {batch.Remaining} of its total_quantity {batch.TotalQuantity} left; cannot generate {count}");
            var codes = CouponCodes.NewBatch(count);
            // In key order, each insert lands beside the previous one in the primary key's B-tree instead of on a random page.
            Array.Sort(codes, StringComparer.Ordinal);
            await CouponBulkInsert.InsertAsync(write, batchId, codes, batch.ValidFrom?.ToUnixTimeMilliseconds(), batch.ValidTo?.ToUnixTimeMilliseconds(), ct);
            await write.CommitAsync(ct);
            return codes;
        }, ct);
    }

    /// <summary>Claims a new coupon of the batch for the customer, within the per-customer claim limit and the total quantity.</summary>
    public static async Task<Result<ClaimedCoupon>> ClaimAsync(FlywheelStore store, ClaimRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if (CouponBatches.CheckId(request.BatchId, "batch_id") is { } badBatch) return badBatch;
        if (CheckText(request.CustomerId, "customer_id", MaxIdLength) is { } badCustomer) return badCustomer;
        if (CheckKey(request.IdempotencyKey) is { } badKey) return badKey;
        var batchId = request.BatchId!;
        var customer = request.CustomerId!;
        return await IdempotentAsync<ClaimedCoupon>(store, "claim", request.IdempotencyKey!, [batchId, customer], async (write, now) =>
        {
            var batch = await GetBatchAsync(write.Connection, write.Transaction, batchId, ct);
            if (batch is null) return Error.NotFound("batch_id", $"there is no coupon batch '{batchId}'");
            if (batch.Status != "active") return Error.Conflict("batch_id", $"batch '{batchId}' is {batch.Status}; its coupons cannot be claimed");
            if (batch.ValidTo is { } ends && now >= ends)
                return Error.Conflict("valid_to", $"batch '{batchId}' expired at {ends:O}; its coupons cannot be claimed any more");

            await EnsureCountsAsync(write, batch, customer, ct);
            var counted = await write.ExecuteAsync(
                "UPDATE coupon_customer_counts SET claimed = claimed + 1 WHERE batch_id = @b AND customer_id = @c " +
                "AND (claim_limit IS NULL OR claimed < claim_limit)", ct, ("@b", batchId), ("@c", customer));
            if (counted == 0)
                return Error.Conflict("per_customer_claim_limit",
                    $"customer '{customer}' has claimed {batch.PerCustomerClaimLimit} coupon(s) of batch '{batchId}', its per_customer_claim_limit");
            var issued = await write.ExecuteAsync(
                "UPDATE coupon_batches SET issued = issued + 1 WHERE id = @b AND issued < total_quantity", ct, ("@b", batchId));
            if (issued == 0)
                return Error.Conflict("total_quantity", $"all {batch.TotalQuantity} coupons of batch '{batchId}' (its total_quantity) are gone");

            var from = batch.ValidDaysAfterClaim is null && batch.ValidFrom is { } start ? start : now;
            var to = batch.ValidDaysAfterClaim is { } days ? now.AddDays(days) : batch.ValidTo!.Value;
            while (true)
            {
                // A fresh code colliding with a stored one is a one-in-10^10 event; then draw again.
                var code = CouponCodes.New();
                var inserted = await write.ExecuteAsync(
                    "INSERT INTO coupons (code, batch_id, state, customer_id, claimed_at, valid_from, valid_to) " +
                    "VALUES (@code, @b, 'claimed', @c, @now, @from, @to) ON CONFLICT (code) DO NOTHING", ct,
                    ("@code", code), ("@b", batchId), ("@c", customer), ("@now", now.ToUnixTimeMilliseconds()),
                    ("@from", from.ToUnixTimeMilliseconds()), ("@to", to.ToUnixTimeMilliseconds()));
                if (inserted == 1) return new ClaimedCoupon(code, batchId, customer, from, to);
            }
        }, ct);
    }

    /// <summary>
    /// Redeems the coupon on an order for <c>Discount</c> fen: the coupon must be the customer's (or unclaimed), unredeemed,
    /// valid now (the store's clock), within the per-customer use limit, and the discount must fit the coupon and the
    /// batch's remaining budget. A single-use coupon succeeds once however many redeem it at the same time.
    /// </summary>
    public static async Task<Result<CouponRedemption>> RedeemAsync(FlywheelStore store, RedeemRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var parsed = CouponCodes.Parse(request.Code);
        if (!parsed.TryGetValue(out var code, out var badCode)) return badCode;
        if (CheckText(request.OrderId, "order_id", MaxIdLength) is { } badOrder) return badOrder;
        if (CheckText(request.CustomerId, "customer_id", MaxIdLength) is { } badCustomer) return badCustomer;
        if (request.Discount is not { } discount) return Error.Invalid("discount", "give the discount (fen) the order takes off with this coupon");
        if (discount < 0) return Error.Invalid("discount", $"discount is {discount} fen; it cannot be negative");
        if (CheckKey(request.IdempotencyKey) is { } badKey) return badKey;
        var order = request.OrderId!;
        var customer = request.CustomerId!;
        return await IdempotentAsync<CouponRedemption>(store, "redeem", request.IdempotencyKey!,
            [code, order, customer, discount.ToString(System.Globalization.CultureInfo.InvariantCulture)], async (write, now) =>
        {
            var coupon = await GetCouponAsync(write, code, ct);
            if (coupon is null) return Error.NotFound("code", $"there is no coupon with code {code}");
            var batch = (await GetBatchAsync(write.Connection, write.Transaction, coupon.BatchId, ct))!;
            if (coupon.CustomerId is { } owner && owner != customer)
                return Error.Of(ErrorKind.Forbidden, Forbidden, $"coupon {code} belongs to another customer, not '{customer}'", "customer_id");
            if (coupon.State == "redeemed")
                return Error.Conflict("code", coupon.OrderId == order
                    ? $"coupon {code} is already redeemed on order '{order}' (with another idempotency key)"
                    : $"coupon {code} is already redeemed on another order; release it there first (refund or cancellation)");
            if (batch.Status != "active") return Error.Conflict("code", $"coupon {code}'s batch '{batch.Id}' is {batch.Status}; it cannot be redeemed");
            var from = coupon.ValidFrom ?? batch.ValidFrom ?? now;
            var to = coupon.ValidTo ?? (batch.ValidDaysAfterClaim is { } days ? now.AddDays(days) : batch.ValidTo!.Value);
            if (now < from) return Error.Conflict("code", $"coupon {code} is valid from {from:O}, not yet");
            if (now >= to) return Error.Conflict("code", $"coupon {code} expired at {to:O}");
            if (batch.Spec.AmountOff is { } off && discount > off)
                return Error.Conflict("discount", $"discount {discount} fen is more than coupon {code} takes off ({off} fen)");
            if (batch.Spec.MaxDiscount is { } cap && discount > cap)
                return Error.Conflict("discount", $"discount {discount} fen is more than coupon {code}'s max_discount ({cap} fen)");

            var redeemed = await write.ExecuteAsync(
                "UPDATE coupons SET state = 'redeemed', customer_id = @c, claimed_at = COALESCE(claimed_at, @now), " +
                "valid_from = COALESCE(valid_from, @from), valid_to = COALESCE(valid_to, @to), order_id = @o, discount = @d, redeemed_at = @now " +
                "WHERE code = @code AND state IN ('issued', 'claimed') AND (customer_id IS NULL OR customer_id = @c)", ct,
                ("@c", customer), ("@now", now.ToUnixTimeMilliseconds()), ("@from", from.ToUnixTimeMilliseconds()), ("@to", to.ToUnixTimeMilliseconds()),
                ("@o", order), ("@d", discount), ("@code", code));
            if (redeemed == 0) return Error.Conflict("code", $"coupon {code} was redeemed by a concurrent request; it can be used once");

            await EnsureCountsAsync(write, batch, customer, ct);
            var used = await write.ExecuteAsync(
                "UPDATE coupon_customer_counts SET used = used + 1 WHERE batch_id = @b AND customer_id = @c AND (use_limit IS NULL OR used < use_limit)",
                ct, ("@b", batch.Id), ("@c", customer));
            if (used == 0)
                return Error.Conflict("per_customer_use_limit",
                    $"customer '{customer}' has used {batch.PerCustomerUseLimit} coupon(s) of batch '{batch.Id}', its per_customer_use_limit");
            var spent = await write.ExecuteAsync(
                "UPDATE coupon_batches SET redeemed = redeemed + 1, spent = spent + @d WHERE id = @b AND (budget IS NULL OR spent + @d <= budget)",
                ct, ("@d", discount), ("@b", batch.Id));
            if (spent == 0)
            {
                var now_ = await GetBatchAsync(write.Connection, write.Transaction, batch.Id, ct);
                return Error.Conflict("budget",
                    $"batch '{batch.Id}' has {now_!.BudgetRemaining} fen of its budget ({batch.Budget} fen) left; a discount of {discount} fen does not fit");
            }
            return new CouponRedemption(code, batch.Id, customer, order, discount, now);
        }, ct);
    }

    /// <summary>
    /// Undoes the coupon's redemption by the order (refund or cancellation): the coupon is the customer's again (claimed,
    /// same validity), and the use and the discount go back to the batch, once.
    /// </summary>
    public static async Task<Result<CouponRelease>> ReleaseAsync(FlywheelStore store, ReleaseRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var parsed = CouponCodes.Parse(request.Code);
        if (!parsed.TryGetValue(out var code, out var badCode)) return badCode;
        if (CheckText(request.OrderId, "order_id", MaxIdLength) is { } badOrder) return badOrder;
        if (request.Reason is { Length: > MaxReasonLength }) return Error.Invalid("reason", $"the reason is {request.Reason.Length} characters; at most {MaxReasonLength}");
        if (CheckKey(request.IdempotencyKey) is { } badKey) return badKey;
        var order = request.OrderId!;
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim();
        return await IdempotentAsync<CouponRelease>(store, "release", request.IdempotencyKey!, [code, order, reason ?? ""], async (write, now) =>
        {
            var coupon = await GetCouponAsync(write, code, ct);
            if (coupon is null) return Error.NotFound("code", $"there is no coupon with code {code}");
            if (coupon.State != "redeemed" || coupon.OrderId != order)
                return Error.Conflict("order_id", coupon.State == "redeemed"
                    ? $"coupon {code} is redeemed on another order, not '{order}'"
                    : $"coupon {code} is not redeemed (it may have been released already); nothing to release for order '{order}'");
            var released = await write.ExecuteAsync(
                "UPDATE coupons SET state = 'claimed', order_id = NULL, discount = NULL, redeemed_at = NULL " +
                "WHERE code = @code AND state = 'redeemed' AND order_id = @o AND redeemed_at = @at AND discount = @d", ct,
                ("@code", code), ("@o", order), ("@at", coupon.RedeemedAt), ("@d", coupon.Discount));
            if (released == 0) return Error.Conflict("order_id", $"coupon {code} was released by a concurrent request");
            await write.ExecuteAsync(
                "UPDATE coupon_customer_counts SET used = used - 1 WHERE batch_id = @b AND customer_id = @c AND used > 0", ct,
                ("@b", coupon.BatchId), ("@c", coupon.CustomerId));
            await write.ExecuteAsync(
                "UPDATE coupon_batches SET redeemed = redeemed - 1, spent = spent - @d WHERE id = @b", ct,
                ("@d", coupon.Discount), ("@b", coupon.BatchId));
            return new CouponRelease(code, coupon.BatchId, coupon.CustomerId!, order, coupon.Discount!.Value, reason, now);
        }, ct);
    }

    /// <summary>
    /// The coupons the pricing engine may apply for the customer at <paramref name="now"/>: claimed, not redeemed, valid
    /// now, of an active batch, and within the per-customer use limit. Ordered by expiry (soonest first), then code.
    /// </summary>
    public static async Task<IReadOnlyList<HeldCoupon>> HeldCouponsAsync(FlywheelStore store, string customerId, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT c.code, c.batch_id, b.spec, c.valid_from, c.valid_to FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id " +
            "LEFT JOIN coupon_customer_counts n ON n.batch_id = c.batch_id AND n.customer_id = c.customer_id " +
            "WHERE c.customer_id = @c AND c.state = 'claimed' AND c.valid_from <= @now AND c.valid_to > @now AND b.status = 'active' " +
            "AND (n.use_limit IS NULL OR n.used < n.use_limit) ORDER BY c.valid_to, c.code";
        command.AddParameter("@c", customerId);
        command.AddParameter("@now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var held = new List<HeldCoupon>();
        while (await reader.ReadAsync(ct))
            held.Add(new HeldCoupon(reader.GetString(0), reader.GetString(1), ReadSpec(reader.GetString(2)),
                Time(reader.GetInt64(3)), Time(reader.GetInt64(4))));
        return held;
    }

    /// <summary>Every coupon the customer holds or held, newest claim first, with its state at <paramref name="now"/>.</summary>
    public static async Task<IReadOnlyList<CustomerCoupon>> CustomerCouponsAsync(FlywheelStore store, string customerId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT c.code, c.batch_id, b.name, b.spec, c.state, c.valid_from, c.valid_to, c.order_id, c.discount FROM coupons c " +
            "JOIN coupon_batches b ON b.id = c.batch_id WHERE c.customer_id = @c ORDER BY c.claimed_at DESC, c.code";
        command.AddParameter("@c", customerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var coupons = new List<CustomerCoupon>();
        var at = now.ToUnixTimeMilliseconds();
        while (await reader.ReadAsync(ct))
        {
            var state = reader.GetString(4);
            var to = reader.GetInt64(6);
            if (state == "claimed" && to <= at) state = "expired";
            coupons.Add(new CustomerCoupon(reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadSpec(reader.GetString(3)), state,
                Time(reader.GetInt64(5)), Time(to), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt64(8)));
        }
        return coupons;
    }

    private sealed record StoredCoupon(string BatchId, string State, string? CustomerId, DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo,
        string? OrderId, long? Discount, long? RedeemedAt);

    /// <summary>The first answer stored with a key: a value or an error, exactly as it was returned.</summary>
    private sealed record StoredAnswer<T>(T? Value, Error? Error);

    /// <summary>
    /// Runs <paramref name="body"/> once per idempotency key. The key's row is inserted first in the transaction: a
    /// concurrent request with the same key waits on it (PostgreSQL blocks on the uncommitted key; SQLite holds the write
    /// lock), then reads the committed answer. A refusal rolls back to a savepoint, so only the answer is kept.
    /// </summary>
    private static Task<Result<T>> IdempotentAsync<T>(FlywheelStore store, string operation, string key, string[] request,
        Func<StoreWrite, DateTimeOffset, Task<Result<T>>> body, CancellationToken ct) =>
        WithRetryAsync(async () =>
        {
            var hash = Hash(operation, request);
            await using var write = await StoreWrite.BeginAsync(store, ct);
            var now = store.Time.GetUtcNow();
            var fresh = await write.ExecuteAsync(
                "INSERT INTO coupon_requests (idempotency_key, operation, request_hash, created_at) VALUES (@k, @op, @h, @now) " +
                "ON CONFLICT (idempotency_key) DO NOTHING", ct,
                ("@k", key), ("@op", operation), ("@h", hash), ("@now", now.ToUnixTimeMilliseconds()));
            if (fresh == 0)
            {
                await using var read = write.Command("SELECT operation, request_hash, response FROM coupon_requests WHERE idempotency_key = @k");
                read.AddParameter("@k", key);
                await using var reader = await read.ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct) || reader.IsDBNull(2)) throw new InvalidOperationException($"idempotency key '{key}' has no stored answer");
                if (reader.GetString(0) != operation || reader.GetString(1) != hash)
                    return Error.Of(ErrorKind.Unprocessable, IdempotencyMismatch,
                        $"idempotency key '{key}' was used for a different {reader.GetString(0)} request; use a new key for a new request", "idempotency_key");
                var response = reader.GetString(2);
                var stored = JsonSerializer.Deserialize<StoredAnswer<T>>(response, Json)!;
                return stored.Error is { } error ? Restored(error, response) : (Result<T>)stored.Value!;
            }

            await write.Transaction.SaveAsync("work", ct);
            var result = await body(write, now);
            if (!result.IsSuccess) await write.Transaction.RollbackAsync("work", ct);
            var answer = result.TryGetValue(out var value, out var refusal) ? new StoredAnswer<T>(value, null) : new StoredAnswer<T>(default, refusal);
            await write.ExecuteAsync("UPDATE coupon_requests SET response = @r WHERE idempotency_key = @k", ct,
                ("@r", JsonSerializer.Serialize(answer, Json)), ("@k", key));
            await write.CommitAsync(ct);
            return result;
        }, ct);

    /// <summary>
    /// A refusal read back from <c>coupon_requests</c>. Answers stored before errors carried their kind have none in the JSON;
    /// theirs follows from the ledger's own codes, so a repeat still gets the status the first answer got.
    /// </summary>
    private static Error Restored(Error error, string json) =>
        json.Contains("\"kind\"", StringComparison.Ordinal) ? error : error with
        {
            Kind = error.Code switch
            {
                "not_found" => ErrorKind.NotFound,
                "conflict" => ErrorKind.Conflict,
                Forbidden => ErrorKind.Forbidden,
                IdempotencyMismatch => ErrorKind.Unprocessable,
                _ => ErrorKind.Validation,
            },
        };

    private static async Task<T> WithRetryAsync<T>(Func<Task<T>> attempt, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (n < MaxAttempts && (StoreWrite.IsTransient(e) || CouponBulkInsert.IsCodeCollision(e)))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * n), ct);
            }
        }
    }

    private static Task<int> EnsureCountsAsync(StoreWrite write, CouponBatchStatus batch, string customer, CancellationToken ct) =>
        write.ExecuteAsync(
            "INSERT INTO coupon_customer_counts (batch_id, customer_id, claimed, used, claim_limit, use_limit) VALUES (@b, @c, 0, 0, @cl, @ul) " +
            "ON CONFLICT (batch_id, customer_id) DO NOTHING", ct,
            ("@b", batch.Id), ("@c", customer), ("@cl", batch.PerCustomerClaimLimit), ("@ul", batch.PerCustomerUseLimit));

    private static async Task<StoredCoupon?> GetCouponAsync(StoreWrite write, string code, CancellationToken ct)
    {
        await using var command = write.Command(
            "SELECT batch_id, state, customer_id, valid_from, valid_to, order_id, discount, redeemed_at FROM coupons WHERE code = @code");
        command.AddParameter("@code", code);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredCoupon(reader.GetString(0), reader.GetString(1), NullableString(reader, 2), NullableTime(reader, 3), NullableTime(reader, 4),
            NullableString(reader, 5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7));
    }

    private static async Task<CouponBatchStatus?> GetBatchAsync(DbConnection connection, DbTransaction? transaction, string id, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "SELECT id, name, spec, total_quantity, issued, redeemed, budget, spent, per_customer_claim_limit, per_customer_use_limit, " +
            "valid_from, valid_to, valid_days_after_claim, status, created_at FROM coupon_batches WHERE id = @id";
        command.AddParameter("@id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new CouponBatchStatus(reader.GetString(0), reader.GetString(1), ReadSpec(reader.GetString(2)), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetInt64(7), NullableInt(reader, 8), NullableInt(reader, 9),
            NullableTime(reader, 10), NullableTime(reader, 11), NullableInt(reader, 12), reader.GetString(13), Time(reader.GetInt64(14)));
    }

    private static CouponSpec ReadSpec(string json) => JsonSerializer.Deserialize<CouponSpec>(json, Json)!;

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? NullableTime(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : Time(reader.GetInt64(i));

    private static int? NullableInt(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static Error? CheckKey(string? key) =>
        string.IsNullOrWhiteSpace(key) ? Error.Invalid("idempotency_key", "give an idempotency_key (e.g. a UUID) so a retried request cannot act twice")
        : key.Length > MaxKeyLength ? Error.Invalid("idempotency_key", $"the idempotency_key is {key.Length} characters; at most {MaxKeyLength}")
        : null;

    private static Error? CheckText(string? text, string path, int max) =>
        string.IsNullOrWhiteSpace(text) ? Error.Invalid(path, $"give {path}")
        : text.Length > max ? Error.Invalid(path, $"{path} is {text.Length} characters; at most {max}")
        : null;

    private static string Hash(string operation, string[] request)
    {
        var text = operation + "\u001f" + string.Join('\u001f', request);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
