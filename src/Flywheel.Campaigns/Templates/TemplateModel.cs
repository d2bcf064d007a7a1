using System.Globalization;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Templates;

/// <summary>
/// What a message template can read. Names in templates are snake_case (<c>customer.member_tier</c>,
/// <c>cart.lines</c>, <c>unsubscribe_url</c>); the declared set is <see cref="TemplateSchema.Default"/>. A part left
/// null here (no cart, no coupon) is absent at render time, and a template that reads it outside an
/// <c>{{#if}}</c> fails to render with an error naming the variable.
/// </summary>
internal sealed record TemplateModel
{
    public required TemplateCustomer Customer { get; init; }

    public TemplateCart? Cart { get; init; }

    public TemplateCoupon? Coupon { get; init; }

    /// <summary>Extension point: empty until the recommendation engine exists.</summary>
    public IReadOnlyList<TemplateProduct> Recommendations { get; init; } = [];

    public string? OrderId { get; init; }

    public long? Points { get; init; }

    public string? JourneyName { get; init; }

    public string? UnsubscribeUrl { get; init; }

    /// <summary>The model as nested dictionaries with the template names; money as "¥199.00" text plus <c>*_fen</c> longs.</summary>
    internal Dictionary<string, object?> ToData()
    {
        var data = new Dictionary<string, object?>
        {
            ["customer"] = new Dictionary<string, object?>
            {
                ["id"] = Customer.Id,
                ["name"] = Customer.Name,
                ["city"] = Customer.City,
                ["member_tier"] = Customer.MemberTier,
            },
            ["recommendations"] = Recommendations.Select(p => p.ToData()).ToList(),

            // Every top-level name is present, null when absent, so {{#if coupon}} can test it without tripping the
            // strict "undefined binding" check that catches {{coupon.code}} on a message without a coupon.
            ["cart"] = null,
            ["coupon"] = null,
            ["order"] = null,
            ["points"] = null,
            ["journey"] = null,
            ["unsubscribe_url"] = null,
        };
        if (Cart is not null)
        {
            data["cart"] = new Dictionary<string, object?>
            {
                ["lines"] = Cart.Lines.Select(l => l.ToData()).ToList(),
                ["total"] = Yuan.Format(Cart.TotalFen),
                ["total_fen"] = Cart.TotalFen,
            };
        }

        if (Coupon is not null)
        {
            data["coupon"] = new Dictionary<string, object?>
            {
                ["code"] = Coupon.Code,
                ["value"] = Coupon.Value,
                ["expires"] = Coupon.Expires?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            };
        }

        if (OrderId is not null)
            data["order"] = new Dictionary<string, object?> { ["id"] = OrderId };
        if (Points is not null)
            data["points"] = Points.Value;
        if (JourneyName is not null)
            data["journey"] = new Dictionary<string, object?> { ["name"] = JourneyName };
        if (UnsubscribeUrl is not null)
            data["unsubscribe_url"] = UnsubscribeUrl;
        return data;
    }
}

internal sealed record TemplateCustomer(string Id, string? Name = null, string? City = null, string? MemberTier = null);

/// <summary>A cart line; <paramref name="PriceFen"/> is the unit price in fen.</summary>
internal sealed record TemplateCartLine(string Sku, string Name, int Quantity, long PriceFen, string? Url = null)
{
    internal Dictionary<string, object?> ToData() => new()
    {
        ["sku"] = Sku,
        ["name"] = Name,
        ["quantity"] = Quantity,
        ["price"] = Yuan.Format(PriceFen),
        ["price_fen"] = PriceFen,
        ["url"] = Url,
    };
}

/// <summary>A cart; <paramref name="TotalFen"/> is what the customer pays, in fen, as the pricer computed it.</summary>
internal sealed record TemplateCart(IReadOnlyList<TemplateCartLine> Lines, long TotalFen);

/// <summary>A coupon. <paramref name="Value"/> is display text ("¥20.00", "8折"); see <see cref="AmountOff"/>.</summary>
internal sealed record TemplateCoupon(string Code, string Value, DateTimeOffset? Expires = null)
{
    /// <summary>A fixed-amount coupon, its value shown as yuan. <paramref name="expires"/> is shown in its own offset.</summary>
    public static TemplateCoupon AmountOff(string code, long fen, DateTimeOffset? expires = null) => new(code, Yuan.Format(fen), expires);
}

internal sealed record TemplateProduct(string Sku, string Name, long PriceFen, string? Url = null)
{
    internal Dictionary<string, object?> ToData() => new()
    {
        ["sku"] = Sku,
        ["name"] = Name,
        ["price"] = Yuan.Format(PriceFen),
        ["price_fen"] = PriceFen,
        ["url"] = Url,
    };
}

/// <summary>Fen as "¥199.00": exact, invariant culture, a minus sign before the ¥ for negative amounts.</summary>
internal static class Yuan
{
    public static string Format(long fen) =>
        fen < 0 ? "-¥" + MoneyText.Format(checked(-fen)) : "¥" + MoneyText.Format(fen);
}
