namespace Flywheel.Ingestion.Contracts;

/// <summary>The event types the record accepts: the known ones, and the brand's own as custom:&lt;name&gt;.</summary>
public static class EventTypes
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "impression", "click", "page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "begin_checkout", "order_paid",
        "refund", "share", "review", "ugc_post", "coupon_claimed", "message_delivered", "message_opened", "message_clicked", "login",
        "signup", "identify",
    };

    /// <summary>Known types, or custom:&lt;name&gt; for the brand's own (custom:live_room_enter).</summary>
    public static bool IsValid(string type)
    {
        if (Known.Contains(type)) return true;
        if (!type.StartsWith("custom:", StringComparison.Ordinal) || type.Length == 7) return false;
        foreach (var c in type.AsSpan(7))
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-')) return false;
        return true;
    }
}
