using System.Globalization;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Domain.Coupons;

/// <summary>
/// A batch as a client sends it (HTTP body or CLI options), before validation. Money is integer fen; times are ISO 8601
/// with an offset. Validity is either absolute (<see cref="ValidTo"/>, optionally <see cref="ValidFrom"/>) or relative
/// (<see cref="ValidDaysAfterClaim"/>: valid from the claim for that many days). Null limits and budget mean unlimited.
/// </summary>
internal sealed record CouponBatchInput(
    string? Id,
    string? Name,
    string? Kind,
    long? AmountOff,
    int? PercentOff,
    long? Threshold,
    string? Store,
    string? Category,
    long? MaxDiscount,
    string? Funding,
    long? TotalQuantity,
    long? Budget,
    int? PerCustomerClaimLimit,
    int? PerCustomerUseLimit,
    string? ValidFrom,
    string? ValidTo,
    int? ValidDaysAfterClaim);

/// <summary>A validated batch: what its coupons take off, how many exist at most, and who may claim and use how many.</summary>
internal sealed record CouponBatchDefinition(
    string Id,
    string Name,
    CouponSpec Spec,
    long TotalQuantity,
    long? Budget,
    int? PerCustomerClaimLimit,
    int? PerCustomerUseLimit,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    int? ValidDaysAfterClaim);

/// <summary>
/// A stored batch with its counters: <see cref="Issued"/> codes exist (generated or claimed), <see cref="Redeemed"/> are
/// redeemed now (releases give uses back), <see cref="Spent"/> fen of discount are committed against <see cref="Budget"/>.
/// </summary>
internal sealed record CouponBatchStatus(
    string Id,
    string Name,
    CouponSpec Spec,
    long TotalQuantity,
    long Issued,
    long Redeemed,
    long? Budget,
    long Spent,
    int? PerCustomerClaimLimit,
    int? PerCustomerUseLimit,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    int? ValidDaysAfterClaim,
    string Status,
    DateTimeOffset CreatedAt)
{
    public long Remaining => TotalQuantity - Issued;

    public long? BudgetRemaining => Budget - Spent;
}

/// <summary>Validation of batches. Error paths are the snake_case field names of the HTTP body (e.g. <c>percent_off</c>).</summary>
internal static class CouponBatches
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxValidDays = 3650;
    public const long MaxQuantity = 100_000_000;

    public static Result<CouponBatchDefinition> Validate(CouponBatchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var id = input.Id;
        if (string.IsNullOrEmpty(id)) id = "cb_" + CouponCodes.New().ToLowerInvariant();
        else if (CheckId(id) is { } badId) return badId;

        if (string.IsNullOrWhiteSpace(input.Name)) return Error.Invalid("name", "a batch needs a name people recognise, e.g. 双11 满300减50");
        if (input.Name.Length > MaxNameLength) return Error.Invalid("name", $"the name is {input.Name.Length} characters; at most {MaxNameLength}");
        if (TextRules.Name(input.Name, "name", max: MaxNameLength) is { } badName) return badName;

        var kind = ParseEnum<CouponKind>(input.Kind, "kind", "store, platform, category or no_threshold");
        if (!kind.TryGetValue(out var couponKind, out var kindError)) return kindError;
        var funding = input.Funding is null ? FundingParty.Merchant : default;
        if (input.Funding is not null)
        {
            var parsed = ParseEnum<FundingParty>(input.Funding, "funding", "merchant or platform");
            if (!parsed.TryGetValue(out funding, out var fundingError)) return fundingError;
        }

        if (input.AmountOff is null == input.PercentOff is null)
            return Error.Invalid(input.AmountOff is null ? "amount_off" : "percent_off",
                "give exactly one of amount_off (fen, e.g. 5000 for ¥50 off) and percent_off (1 to 99, e.g. 10 for 10% off)");
        if (input.AmountOff is <= 0) return Error.Invalid("amount_off", $"amount_off is {input.AmountOff} fen; it must be positive");
        if (input.PercentOff is < 1 or > 99) return Error.Invalid("percent_off", $"percent_off is {input.PercentOff}; it must be 1 to 99");
        var threshold = input.Threshold ?? 0;
        if (threshold < 0) return Error.Invalid("threshold", $"threshold is {threshold} fen; it cannot be negative");
        if (couponKind == CouponKind.NoThreshold && threshold != 0)
            return Error.Invalid("threshold", "a no_threshold (无门槛) coupon has no threshold: leave it out or give 0");
        if (input.AmountOff is { } off && threshold > 0 && off > threshold)
            return Error.Invalid("amount_off", $"amount_off ({off} fen) is more than the threshold ({threshold} fen)");
        if (input.MaxDiscount is <= 0) return Error.Invalid("max_discount", $"max_discount is {input.MaxDiscount} fen; it must be positive");
        var store = Blank(input.Store);
        var category = Blank(input.Category);
        if (couponKind == CouponKind.Store && store is null) return Error.Invalid("store", "a store coupon needs the store it applies to");
        if (couponKind == CouponKind.Category && category is null) return Error.Invalid("category", "a category coupon needs the category it applies to");
        if (couponKind == CouponKind.Platform && store is not null)
            return Error.Invalid("store", "a platform coupon applies in every store; leave store out or make it a store coupon");
        if (couponKind != CouponKind.Category && category is not null)
            return Error.Invalid("category", $"only category coupons name a category; this one is {Snake(couponKind)}");

        if (input.TotalQuantity is not { } quantity) return Error.Invalid("total_quantity", "give the batch's total_quantity: how many coupons may exist at most");
        if (quantity is < 1 or > MaxQuantity) return Error.Invalid("total_quantity", $"total_quantity is {quantity}; it must be 1 to {MaxQuantity}");
        if (input.Budget is < 0) return Error.Invalid("budget", $"budget is {input.Budget} fen; it cannot be negative");
        if (input.PerCustomerClaimLimit is < 1) return Error.Invalid("per_customer_claim_limit", "per_customer_claim_limit must be at least 1 (leave it out for no limit)");
        if (input.PerCustomerUseLimit is < 1) return Error.Invalid("per_customer_use_limit", "per_customer_use_limit must be at least 1 (leave it out for no limit)");

        var from = ParseTime(input.ValidFrom, "valid_from");
        if (!from.TryGetValue(out var validFrom, out var fromError)) return fromError;
        var to = ParseTime(input.ValidTo, "valid_to");
        if (!to.TryGetValue(out var validTo, out var toError)) return toError;
        if (validTo is null == input.ValidDaysAfterClaim is null)
            return Error.Invalid(validTo is null ? "valid_to" : "valid_days_after_claim",
                "give exactly one validity: valid_to (absolute, with optional valid_from) or valid_days_after_claim (e.g. 7: valid for 7 days after claiming)");
        if (input.ValidDaysAfterClaim is < 1 or > MaxValidDays)
            return Error.Invalid("valid_days_after_claim", $"valid_days_after_claim is {input.ValidDaysAfterClaim}; it must be 1 to {MaxValidDays}");
        if (validFrom is { } f && validTo is { } t && f >= t)
            return Error.Invalid("valid_to", $"valid_to ({t:O}) must be after valid_from ({f:O})");

        var spec = new CouponSpec(couponKind, input.AmountOff, input.PercentOff, threshold, store, category, input.MaxDiscount, funding);
        return new CouponBatchDefinition(id, input.Name.Trim(), spec, quantity, input.Budget, input.PerCustomerClaimLimit, input.PerCustomerUseLimit,
            validFrom, validTo, input.ValidDaysAfterClaim);
    }

    /// <summary>An invalid-input error (path <c>id</c>) unless the id is 1 to 64 of a-z, 0-9, _ and -.</summary>
    public static Error? CheckId(string? id, string path = "id")
    {
        if (string.IsNullOrEmpty(id)) return Error.Invalid(path, "a batch id is 1 to 64 of a-z, 0-9, _ and -, e.g. d11-300-50");
        if (id.Length > MaxIdLength) return Error.Invalid(path, $"the batch id is {id.Length} characters; at most {MaxIdLength}");
        foreach (var c in id)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
                return Error.Invalid(path, $"'{id}' has '{c}'; a batch id uses only a-z, 0-9, _ and -");
        return null;
    }

    /// <summary>The snake_case name of an enum value as the API writes it (NoThreshold: no_threshold).</summary>
    public static string Snake<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static Result<T> ParseEnum<T>(string? text, string path, string choices) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(Snake(value), text?.Trim(), StringComparison.OrdinalIgnoreCase)
                || string.Equals(value.ToString(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
                return value;
        return Error.Invalid(path, text is null ? $"give {path}: {choices}" : $"'{text}' is not a {path}; use {choices}");
    }

    private static Result<DateTimeOffset?> ParseTime(string? text, string path)
    {
        if (string.IsNullOrWhiteSpace(text)) return (DateTimeOffset?)null;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return Error.Invalid(path, $"'{text}' is not an ISO 8601 time such as 2026-11-11T00:00:00+08:00");
        if (local.Kind == DateTimeKind.Unspecified)
            return Error.Invalid(path, $"'{text}' has no offset; say which clock, e.g. {text}+08:00");
        return (DateTimeOffset?)parsed;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
