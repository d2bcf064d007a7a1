namespace Flywheel.Storage.Contracts;

// The validated shapes that the record stores. Importers, the HTTP API and the demo generator all produce
// these; only Flywheel.Storage turns them into SQL. Times are UTC Unix milliseconds, money is minor units.

/// <summary>Which optional customer attributes a write carries. Absent attributes are left as stored.</summary>
[Flags]
public enum CustomerFields
{
    None = 0,
    Name = 1 << 0,
    Gender = 1 << 1,
    BirthDate = 1 << 2,
    Province = 1 << 3,
    City = 1 << 4,
    CityTier = 1 << 5,
    SignupChannel = 1 << 6,
    SignupAt = 1 << 7,
    MemberTier = 1 << 8,
    TimeZone = 1 << 9,
}

public sealed class CustomerRow
{
    public required string CustomerId { get; init; }
    public CustomerFields Present { get; set; }
    public string? Name { get; set; }
    /// <summary>male, female or unknown.</summary>
    public string? Gender { get; set; }
    /// <summary>yyyy-MM-dd.</summary>
    public string? BirthDate { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    /// <summary>tier1, new_tier1, tier2 ... tier5.</summary>
    public string? CityTier { get; set; }
    public string? SignupChannel { get; set; }
    public long? SignupAt { get; set; }
    public string? MemberTier { get; set; }
    /// <summary>IANA time zone id, e.g. Asia/Shanghai.</summary>
    public string? TimeZone { get; set; }
    public List<CustomerIdentity> Identities { get; } = [];
    public List<ConsentChange> Consents { get; } = [];
}

/// <summary>An external id of a customer: kind is phone, email, taobao, jd, pinduoduo, douyin, wechat_openid, wechat_unionid.</summary>
public sealed record CustomerIdentity(string Kind, string Value);

/// <summary>A consent given or withdrawn for one channel and purpose (marketing or transactional), when and how.</summary>
public sealed record ConsentChange(string Channel, string Purpose, string Status, long ChangedAt, string Source);

[Flags]
public enum ProductFields
{
    None = 0,
    Brand = 1 << 0,
    Cost = 1 << 1,
    Store = 1 << 2,
    Tags = 1 << 3,
}

public sealed class ProductRow
{
    public required string Sku { get; init; }
    public required string Name { get; init; }
    /// <summary>Category path, levels separated by '>' (母婴>奶粉>1段).</summary>
    public required string Category { get; init; }
    public required long ListPrice { get; init; }
    public string Currency { get; init; } = "CNY";
    public ProductFields Present { get; set; }
    public string? Brand { get; set; }
    public long? Cost { get; set; }
    public string? Store { get; set; }
    /// <summary>Tags separated by '|'.</summary>
    public string? Tags { get; set; }
}

public sealed class OrderRow
{
    public required string OrderId { get; init; }
    /// <summary>Null for a guest order: counted in GMV and orders, in no customer-level model.</summary>
    public required string? CustomerId { get; init; }
    public string? Store { get; init; }
    public string? Channel { get; init; }
    /// <summary>pending, paid, shipped, completed, cancelled, refunded, partially_refunded.</summary>
    public required string Status { get; init; }
    public string Currency { get; init; } = "CNY";
    public required long PlacedAt { get; init; }
    public long? PaidAt { get; init; }
    public long? ShippedAt { get; init; }
    public long? CompletedAt { get; init; }
    public long? RefundedAt { get; init; }
    public long ShippingFee { get; init; }
    /// <summary>Coupon codes used, separated by '|'.</summary>
    public string? CouponCodes { get; init; }
    public List<OrderLineRow> Lines { get; } = [];
}

public sealed class OrderLineRow
{
    public required string Sku { get; init; }
    public required int Quantity { get; init; }
    /// <summary>Price per unit before the line discount.</summary>
    public required long UnitPrice { get; init; }
    /// <summary>The catalogue price; null takes the product's list price.</summary>
    public long? UnitListPrice { get; set; }
    public long LineDiscount { get; init; }
    public int RefundedQuantity { get; init; }
    /// <summary>Refunded money; null refunds the paid amount pro rata to the refunded quantity.</summary>
    public long? RefundAmount { get; init; }

    public long PaidAmount => checked(UnitPrice * Quantity - LineDiscount);
}

public sealed class EventRow
{
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public required long Time { get; init; }
    public string? CustomerId { get; set; }
    public string? AnonymousId { get; init; }
    public string? Channel { get; init; }
    public string? Source { get; init; }
    public string? Medium { get; init; }
    public string? Campaign { get; init; }
    public string? Content { get; init; }
    public string? Term { get; init; }
    public string? KolId { get; init; }
    public string? Sku { get; init; }
    public long? Value { get; init; }
    /// <summary>A JSON object, as text.</summary>
    public string? Properties { get; init; }
}

public sealed class SpendRow
{
    public required DateOnly Date { get; init; }
    public required string Channel { get; init; }
    public string Campaign { get; init; } = "";
    public string AdGroup { get; init; } = "";
    public long? Impressions { get; init; }
    public long? Clicks { get; init; }
    public required long Cost { get; init; }
    public string Currency { get; init; } = "CNY";
}

/// <summary>A KOL/KOC post the brand paid for.</summary>
public sealed class ContentPostRow
{
    public required string PostId { get; init; }
    public required string KolId { get; init; }
    public string? KolName { get; init; }
    /// <summary>head (头部), mid (腰部), koc.</summary>
    public string? KolTier { get; init; }
    public required string Channel { get; init; }
    public required long PublishedAt { get; init; }
    public required long Cost { get; init; }
    public string Currency { get; init; } = "CNY";
}

public enum WriteOutcome
{
    Inserted,
    Updated,
    Unchanged,
    /// <summary>The key was already stored by an earlier ingest: ignored.</summary>
    Duplicate,
    /// <summary>The key was already written by this same ingest (a file that repeats an id).</summary>
    DuplicateInIngest,
}

/// <summary>
/// A returned quantity of one SKU: a line of a return invoice or a negative-quantity line. It refunds the sold lines it matches
/// (<see cref="OrderId"/>'s when the return names its order, else the customer's latest earlier purchases of the SKU).
/// </summary>
public sealed class ReturnRow
{
    /// <summary>The return invoice (or the order whose negative line this is) and the line's number in it: the return's key.</summary>
    public required string ReturnId { get; init; }
    public required int ReturnLine { get; init; }
    public string? CustomerId { get; init; }
    public required string Sku { get; init; }
    /// <summary>Units returned (positive).</summary>
    public required int Quantity { get; init; }
    /// <summary>The return's own price per unit: what an unmatched return is reported at.</summary>
    public required long UnitPrice { get; init; }
    public required long ReturnedAt { get; init; }
    /// <summary>The sold order the return names, when the export says (null: match by customer and SKU).</summary>
    public string? OrderId { get; init; }
}

/// <summary>What a return did: units and money matched to sold lines (refunded), and what matched nothing (kept, reported).</summary>
public sealed record ReturnOutcome(int MatchedUnits, long MatchedAmount, int UnmatchedUnits, long UnmatchedAmount, bool AlreadyStored);

/// <summary>What an ingest did, as counted by its session.</summary>
public sealed record IngestCounts(long Inserted, long Updated, long Unchanged, long Duplicates, long BareCustomersCreated, long BareProductsCreated, long EventsStitched);
