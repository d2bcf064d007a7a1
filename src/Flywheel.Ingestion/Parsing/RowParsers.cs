using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Flywheel.Storage.Contracts;

namespace Flywheel.Ingestion.Parsing;

/// <summary>What a file holds; each kind has its own documented columns (README, "CSV contract").</summary>
internal enum ImportKind
{
    Customers,
    Products,
    Orders,
    Events,
    Spend,
}

/// <summary>The column contract of each kind: required columns, and the optional ones Flywheel reads.</summary>
internal static class Columns
{
    public static readonly IReadOnlyDictionary<ImportKind, (string[] Required, string[] Optional)> Contract = new Dictionary<ImportKind, (string[], string[])>
    {
        [ImportKind.Customers] = (["customer_id"], ["name", "gender", "birth_date", "province", "city", "city_tier", "signup_channel", "signup_at",
            "member_tier", "time_zone", "phone", "email", "taobao_id", "jd_id", "pinduoduo_id", "douyin_id", "wechat_openid", "wechat_unionid",
            "email_consent", "sms_consent", "wecom_consent", "consent_at"]),
        [ImportKind.Products] = (["sku", "name", "category", "list_price"], ["brand", "cost", "store", "tags", "currency"]),
        [ImportKind.Orders] = (["order_id", "customer_id", "placed_at", "sku", "quantity", "unit_price"], ["paid_at", "shipped_at", "completed_at",
            "refunded_at", "status", "channel", "store", "line_discount", "shipping_fee", "coupon_codes", "refunded_quantity", "refund_amount",
            "unit_list_price", "currency", "return_of"]),
        [ImportKind.Events] = (["event_id", "type", "time"], ["customer_id", "anonymous_id", "channel", "source", "medium", "campaign", "content",
            "term", "kol_id", "sku", "value", "properties"]),
        [ImportKind.Spend] = (["date", "channel", "cost"], ["campaign", "ad_group", "impressions", "clicks", "currency"]),
    };
}

internal static class EventParser
{
    private static readonly string[] TextColumns = ["channel", "source", "medium", "campaign", "content", "term", "kol_id", "sku"];

    public static Result<EventRow> Parse(IRecordFields r, ParseContext context)
    {
        var id = Fields.Required(r, "event_id");
        if (!id.IsSuccess) return id.Error!;
        var type = Fields.Required(r, "type");
        if (!type.IsSuccess) return type.Error!;
        if (!EventTypes.IsValid(type.Value))
            return Error.Invalid(r.Where("type"), $"unknown event type '{type.Value}' (known: {string.Join(", ", EventTypes.Known.Order())}; a brand's own events are custom:<name>)");
        var time = Fields.RequiredTime(r, "time", context);
        if (!time.IsSuccess) return time.Error!;
        var customer = Fields.Optional(r, "customer_id");
        var anonymous = Fields.Optional(r, "anonymous_id");
        if (!customer.IsSuccess) return customer.Error!;
        if (!anonymous.IsSuccess) return anonymous.Error!;
        if (customer.Value is null && anonymous.Value is null)
            return Error.Invalid(r.Where("customer_id"), "an event needs a customer_id or an anonymous_id");
        if (type.Value == "identify" && (customer.Value is null || anonymous.Value is null))
            return Error.Invalid(r.Where("anonymous_id"), "an identify event needs both customer_id and anonymous_id");
        var value = Fields.Money(r, "value");
        if (!value.IsSuccess) return value.Error!;
        var properties = Fields.JsonObject(r, "properties");
        if (!properties.IsSuccess) return properties.Error!;

        var text = new string?[TextColumns.Length];
        for (var i = 0; i < TextColumns.Length; i++)
        {
            var field = Fields.Optional(r, TextColumns[i]);
            if (!field.IsSuccess) return field.Error!;
            text[i] = field.Value;
        }
        return new EventRow
        {
            EventId = id.Value,
            Type = type.Value,
            Time = time.Value,
            CustomerId = customer.Value,
            AnonymousId = anonymous.Value,
            Channel = text[0],
            Source = text[1],
            Medium = text[2],
            Campaign = text[3],
            Content = text[4],
            Term = text[5],
            KolId = text[6],
            Sku = text[7],
            Value = value.Value,
            Properties = properties.Value,
        };
    }
}

internal static class CustomerParser
{
    private static readonly Dictionary<string, string> Genders = Fields.Choices(
        ("male", ["m", "男", "man"]), ("female", ["f", "女", "woman"]), ("unknown", ["u", "未知", "other"]));

    private static readonly Dictionary<string, string> CityTiers = Fields.Choices(
        ("tier1", ["1", "一线"]), ("new_tier1", ["new1", "新一线"]), ("tier2", ["2", "二线"]), ("tier3", ["3", "三线"]),
        ("tier4", ["4", "四线"]), ("tier5", ["5", "五线"]));

    private static readonly Dictionary<string, string> ConsentStates = Fields.Choices(
        ("granted", ["yes", "true", "1", "opt_in", "同意"]), ("withdrawn", ["no", "false", "0", "opt_out", "退订"]));

    private static readonly (string Column, string Kind)[] IdentityColumns =
    [
        ("phone", "phone"), ("email", "email"), ("taobao_id", "taobao"), ("jd_id", "jd"), ("pinduoduo_id", "pinduoduo"),
        ("douyin_id", "douyin"), ("wechat_openid", "wechat_openid"), ("wechat_unionid", "wechat_unionid"),
    ];

    public static Result<CustomerRow> Parse(IRecordFields r, ParseContext context, string source)
    {
        var id = Fields.Required(r, "customer_id");
        if (!id.IsSuccess) return id.Error!;
        var row = new CustomerRow { CustomerId = id.Value };
        Error? error = null;

        string? Text(string column, CustomerFields field)
        {
            if (error is not null || !r.Has(column)) return null;
            row.Present |= field;
            var value = Fields.Optional(r, column);
            if (!value.IsSuccess) error = value.Error;
            return value.IsSuccess ? value.Value : null;
        }

        row.Name = Text("name", CustomerFields.Name);
        row.Province = Text("province", CustomerFields.Province);
        row.City = Text("city", CustomerFields.City);
        row.SignupChannel = Text("signup_channel", CustomerFields.SignupChannel);
        row.MemberTier = Text("member_tier", CustomerFields.MemberTier);
        row.TimeZone = Text("time_zone", CustomerFields.TimeZone);
        if (error is not null) return error;
        if (row.TimeZone is not null && !ParseContext.IsTimeZone(row.TimeZone))
            return Error.Invalid(r.Where("time_zone"), $"unknown time zone '{row.TimeZone}' (an IANA id such as Asia/Shanghai)");
        if (r.Has("gender"))
        {
            row.Present |= CustomerFields.Gender;
            var gender = Fields.Enum(r, "gender", Genders, "male, female, unknown (or 男, 女)");
            if (!gender.IsSuccess) return gender.Error!;
            row.Gender = gender.Value;
        }
        if (r.Has("city_tier"))
        {
            row.Present |= CustomerFields.CityTier;
            var tier = Fields.Enum(r, "city_tier", CityTiers, "tier1, new_tier1, tier2, tier3, tier4, tier5 (or 一线, 新一线, 二线 ...)");
            if (!tier.IsSuccess) return tier.Error!;
            row.CityTier = tier.Value;
        }
        if (r.Has("birth_date"))
        {
            row.Present |= CustomerFields.BirthDate;
            var today = DateOnly.FromDateTime(context.Now.UtcDateTime);
            var birth = Fields.Date(r, "birth_date", new DateOnly(1900, 1, 1), today);
            if (!birth.IsSuccess) return birth.Error!;
            row.BirthDate = birth.Value?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }
        if (r.Has("signup_at"))
        {
            row.Present |= CustomerFields.SignupAt;
            var signup = Fields.Time(r, "signup_at", context);
            if (!signup.IsSuccess) return signup.Error!;
            row.SignupAt = signup.Value;
        }
        foreach (var (column, kind) in IdentityColumns)
        {
            var value = Fields.Optional(r, column);
            if (!value.IsSuccess) return value.Error!;
            if (value.Value is null) continue;
            var normalized = NormalizeIdentity(kind, value.Value);
            if (normalized is null)
                return Error.Invalid(r.Where(column), $"'{value.Value}' is not a valid {column}");
            row.Identities.Add(new CustomerIdentity(kind, normalized));
        }
        var consentAt = Fields.Time(r, "consent_at", context);
        if (!consentAt.IsSuccess) return consentAt.Error!;
        foreach (var channel in new[] { "email", "sms", "wecom" })
        {
            var state = Fields.Enum(r, channel + "_consent", ConsentStates, "granted, withdrawn");
            if (!state.IsSuccess) return state.Error!;
            if (state.Value is not null)
                row.Consents.Add(new ConsentChange(channel, "marketing", state.Value,
                    consentAt.Value ?? row.SignupAt ?? context.Now.ToUnixTimeMilliseconds(), source));
        }
        return row;
    }

    /// <summary>Phones keep digits (and a leading +86 is dropped, so 138... and +86 138... are one person); emails are lower-cased.</summary>
    internal static string? NormalizeIdentity(string kind, string value)
    {
        value = value.Trim();
        switch (kind)
        {
            case "phone":
                var digits = new string(value.Where(char.IsAsciiDigit).ToArray());
                if (value.StartsWith('+') && digits.StartsWith("86", StringComparison.Ordinal)) digits = digits[2..];
                if (digits.Length is < 5 or > 20 || value.Any(c => !(char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')'))) return null;
                return digits;
            case "email":
                var at = value.IndexOf('@', StringComparison.Ordinal);
                return at > 0 && at < value.Length - 1 && !value.Contains(' ', StringComparison.Ordinal) ? value.ToLowerInvariant() : null;
            default:
                return value.Length == 0 ? null : value;
        }
    }
}

internal static class ProductParser
{
    public static Result<ProductRow> Parse(IRecordFields r, ParseContext context)
    {
        var sku = Fields.Required(r, "sku");
        if (!sku.IsSuccess) return sku.Error!;
        var name = Fields.Required(r, "name");
        if (!name.IsSuccess) return name.Error!;
        var category = Fields.Required(r, "category");
        if (!category.IsSuccess) return category.Error!;
        var price = Fields.RequiredMoney(r, "list_price");
        if (!price.IsSuccess) return price.Error!;
        var currency = Currency(r, context);
        if (!currency.IsSuccess) return currency.Error!;
        var row = new ProductRow
        {
            Sku = sku.Value,
            Name = name.Value,
            Category = NormalizeCategory(category.Value),
            ListPrice = price.Value,
            Currency = currency.Value,
        };
        if (r.Has("brand"))
        {
            var brand = Fields.Optional(r, "brand");
            if (!brand.IsSuccess) return brand.Error!;
            row.Brand = brand.Value;
            row.Present |= ProductFields.Brand;
        }
        if (r.Has("cost"))
        {
            var cost = Fields.Money(r, "cost");
            if (!cost.IsSuccess) return cost.Error!;
            row.Cost = cost.Value;
            row.Present |= ProductFields.Cost;
        }
        if (r.Has("store"))
        {
            var store = Fields.Optional(r, "store");
            if (!store.IsSuccess) return store.Error!;
            row.Store = store.Value;
            row.Present |= ProductFields.Store;
        }
        if (r.Has("tags"))
        {
            var tags = Fields.Optional(r, "tags");
            if (!tags.IsSuccess) return tags.Error!;
            row.Tags = tags.Value is null ? null : string.Join('|', tags.Value.Split(['|', ';', '，'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            row.Present |= ProductFields.Tags;
        }
        return row;
    }

    /// <summary>Category paths use '>' between levels; '/' and '＞' are accepted on input.</summary>
    internal static string NormalizeCategory(string category) =>
        string.Join('>', category.Split(['>', '/', '＞'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    internal static Result<string> Currency(IRecordFields r, ParseContext context)
    {
        var value = r.Get("currency");
        if (value is null) return context.Currency;
        if (r.NotText("currency") is { } kind) return Error.Invalid(r.Where("currency"), $"'currency' is text: give it as a JSON string (an ISO 4217 code such as CNY), not a {kind}");
        var parsed = Primitives.Currency.Parse(value);
        if (!parsed.IsSuccess) return Error.Invalid(r.Where("currency"), parsed.Error!.Message);
        // One store, one currency: amounts in two would be summed as if they were one.
        if (parsed.Value.Code != context.Currency)
            return Error.Invalid(r.Where("currency"), $"the amount is in {parsed.Value.Code} but the store keeps {context.Currency}; amounts in two currencies " +
                $"cannot be summed. Convert with a rate table in an import mapping (rates: {{{parsed.Value.Code}: 1.0}}, units of {context.Currency} per " +
                $"{parsed.Value.Code}), or keep this data in a store of its own (an empty store takes the currency of its first import)");
        return parsed.Value.Code;
    }
}

internal static class OrderParser
{
    public static readonly Dictionary<string, string> Statuses = Fields.Choices(
        ("pending", ["待付款", "created", "unpaid"]), ("paid", ["已付款", "待发货"]), ("shipped", ["已发货", "delivering"]),
        ("completed", ["已完成", "交易成功", "finished"]), ("cancelled", ["canceled", "已取消", "交易关闭", "closed"]),
        ("refunded", ["已退款"]), ("partially_refunded", ["部分退款"]));

    /// <summary>The order-level fields of a row (repeated on each of its lines in a CSV file).</summary>
    public static Result<OrderRow> ParseHeader(IRecordFields r, ParseContext context)
    {
        var id = Fields.Required(r, "order_id");
        if (!id.IsSuccess) return id.Error!;
        // No customer id: a guest order (stored, counted in GMV and orders, in no customer-level model).
        var customer = Fields.Optional(r, "customer_id");
        if (!customer.IsSuccess) return customer.Error!;
        var placed = Fields.RequiredTime(r, "placed_at", context);
        if (!placed.IsSuccess) return placed.Error!;
        var times = new long?[4];
        string[] timeColumns = ["paid_at", "shipped_at", "completed_at", "refunded_at"];
        for (var i = 0; i < timeColumns.Length; i++)
        {
            var t = Fields.Time(r, timeColumns[i], context);
            if (!t.IsSuccess) return t.Error!;
            if (t.Value < placed.Value)
                return Error.Invalid(r.Where(timeColumns[i]), $"'{timeColumns[i]}' is before placed_at");
            times[i] = t.Value;
        }
        var status = Fields.Enum(r, "status", Statuses, "pending, paid, shipped, completed, cancelled, refunded, partially_refunded");
        if (!status.IsSuccess) return status.Error!;
        var shipping = Fields.Money(r, "shipping_fee");
        if (!shipping.IsSuccess) return shipping.Error!;
        var channel = Fields.Optional(r, "channel");
        if (!channel.IsSuccess) return channel.Error!;
        var store = Fields.Optional(r, "store");
        if (!store.IsSuccess) return store.Error!;
        var coupons = Fields.Optional(r, "coupon_codes");
        if (!coupons.IsSuccess) return coupons.Error!;
        var currency = ProductParser.Currency(r, context);
        if (!currency.IsSuccess) return currency.Error!;
        return new OrderRow
        {
            OrderId = id.Value,
            CustomerId = customer.Value,
            PlacedAt = placed.Value,
            ShippedAt = times[1],
            CompletedAt = times[2],
            RefundedAt = times[3],
            // Without a status, the latest milestone given decides it; with none, the import's assumption (--assume-paid) does.
            Status = status.Value ?? (times[3] is not null ? "refunded" : times[2] is not null ? "completed" : times[1] is not null ? "shipped"
                : times[0] is not null || context.AssumePaid ? "paid" : "pending"),
            PaidAt = times[0] ?? (status.Value is null && times[1] is null && times[2] is null && times[3] is null && context.AssumePaid ? placed.Value : null),
            ShippingFee = shipping.Value ?? 0,
            Channel = channel.Value,
            Store = store.Value,
            CouponCodes = coupons.Value is null ? null : string.Join('|', coupons.Value.Split(['|', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
            Currency = currency.Value,
        };
    }

    public static Result<OrderLineRow> ParseLine(IRecordFields r)
    {
        var sku = Fields.Required(r, "sku");
        if (!sku.IsSuccess) return sku.Error!;
        if (r.Get("quantity") is null) return Error.Invalid(r.Where("quantity"), "'quantity' is required");
        var quantity = Fields.WholeNumber(r, "quantity", 1, 1_000_000);
        if (!quantity.IsSuccess) return quantity.Error!;
        var unitPrice = Fields.RequiredMoney(r, "unit_price");
        if (!unitPrice.IsSuccess) return unitPrice.Error!;
        var listPrice = Fields.Money(r, "unit_list_price");
        if (!listPrice.IsSuccess) return listPrice.Error!;
        var discount = Fields.Money(r, "line_discount");
        if (!discount.IsSuccess) return discount.Error!;
        var gross = unitPrice.Value * quantity.Value!.Value; // both bounded: at most 10^12 × 10^6
        if (gross > MoneyBounds.MaxLineTotal) return Error.Invalid(r.Where("quantity"), MoneyBounds.LineMessage(gross));
        if (discount.Value > gross)
            return Error.Invalid(r.Where("line_discount"), $"line_discount {MoneyText.Format(discount.Value!.Value)} exceeds the line's {MoneyText.Format(gross)}");
        var refunded = Fields.WholeNumber(r, "refunded_quantity", 0, quantity.Value!.Value);
        if (!refunded.IsSuccess) return refunded.Error!;
        var refundAmount = Fields.Money(r, "refund_amount");
        if (!refundAmount.IsSuccess) return refundAmount.Error!;
        if (refundAmount.Value > gross - (discount.Value ?? 0))
            return Error.Invalid(r.Where("refund_amount"), "refund_amount exceeds what was paid for the line");
        return new OrderLineRow
        {
            Sku = sku.Value,
            Quantity = (int)quantity.Value!.Value,
            UnitPrice = unitPrice.Value,
            UnitListPrice = listPrice.Value,
            LineDiscount = discount.Value ?? 0,
            RefundedQuantity = (int)(refunded.Value ?? 0),
            RefundAmount = refundAmount.Value,
        };
    }

    /// <summary>
    /// A returned line (a line of a return invoice, or a negative quantity): its SKU, the units returned (positive) and the price
    /// per unit. The quantity may carry either sign.
    /// </summary>
    public static Result<OrderLineRow> ParseReturnLine(IRecordFields r)
    {
        var sku = Fields.Required(r, "sku");
        if (!sku.IsSuccess) return sku.Error!;
        if (r.Get("quantity") is null) return Error.Invalid(r.Where("quantity"), "'quantity' is required");
        var quantity = Fields.WholeNumber(r, "quantity", -1_000_000, 1_000_000);
        if (!quantity.IsSuccess) return quantity.Error!;
        if (quantity.Value == 0) return Error.Invalid(r.Where("quantity"), "a returned line's quantity must not be 0");
        var unitPrice = Fields.RequiredMoney(r, "unit_price");
        if (!unitPrice.IsSuccess) return unitPrice.Error!;
        var gross = unitPrice.Value * Math.Abs(quantity.Value!.Value);
        if (gross > MoneyBounds.MaxLineTotal) return Error.Invalid(r.Where("quantity"), MoneyBounds.LineMessage(gross));
        return new OrderLineRow { Sku = sku.Value, Quantity = (int)Math.Abs(quantity.Value!.Value), UnitPrice = unitPrice.Value };
    }

    /// <summary>The first order-level field on which two lines of the same order disagree, or null (placed_at too unless told to ignore it).</summary>
    public static string? FirstDifference(OrderRow a, OrderRow b, bool ignorePlacedAt = false) =>
        a.CustomerId != b.CustomerId ? "customer_id"
        : a.PlacedAt != b.PlacedAt && !ignorePlacedAt ? "placed_at"
        : a.PaidAt != b.PaidAt && !(ignorePlacedAt && a.PaidAt == a.PlacedAt && b.PaidAt == b.PlacedAt) ? "paid_at"
        : a.ShippedAt != b.ShippedAt ? "shipped_at"
        : a.CompletedAt != b.CompletedAt ? "completed_at"
        : a.RefundedAt != b.RefundedAt ? "refunded_at"
        : a.Status != b.Status ? "status"
        : a.Channel != b.Channel ? "channel"
        : a.Store != b.Store ? "store"
        : a.ShippingFee != b.ShippingFee ? "shipping_fee"
        : a.CouponCodes != b.CouponCodes ? "coupon_codes"
        : a.Currency != b.Currency ? "currency"
        : null;
}

internal static class SpendParser
{
    public static Result<SpendRow> Parse(IRecordFields r, ParseContext context)
    {
        var today = DateOnly.FromDateTime(context.Now.UtcDateTime).AddDays(1);
        if (r.Get("date") is null) return Error.Invalid(r.Where("date"), "'date' is required");
        var date = Fields.Date(r, "date", new DateOnly(1990, 1, 1), today);
        if (!date.IsSuccess) return date.Error!;
        var channel = Fields.Required(r, "channel");
        if (!channel.IsSuccess) return channel.Error!;
        var cost = Fields.RequiredMoney(r, "cost");
        if (!cost.IsSuccess) return cost.Error!;
        var campaign = Fields.Optional(r, "campaign");
        if (!campaign.IsSuccess) return campaign.Error!;
        var adGroup = Fields.Optional(r, "ad_group");
        if (!adGroup.IsSuccess) return adGroup.Error!;
        var impressions = Fields.WholeNumber(r, "impressions", 0, long.MaxValue / 4);
        if (!impressions.IsSuccess) return impressions.Error!;
        var clicks = Fields.WholeNumber(r, "clicks", 0, long.MaxValue / 4);
        if (!clicks.IsSuccess) return clicks.Error!;
        var currency = ProductParser.Currency(r, context);
        if (!currency.IsSuccess) return currency.Error!;
        return new SpendRow
        {
            Date = date.Value!.Value,
            Channel = channel.Value,
            Campaign = campaign.Value ?? "",
            AdGroup = adGroup.Value ?? "",
            Impressions = impressions.Value,
            Clicks = clicks.Value,
            Cost = cost.Value,
            Currency = currency.Value,
        };
    }
}
