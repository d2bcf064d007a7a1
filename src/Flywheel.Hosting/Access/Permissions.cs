namespace Flywheel.Hosting.Access;

/// <summary>
/// What an endpoint needs (docs/security.md). Every endpoint a module maps declares one with <see cref="AccessEndpoints.Requires"/>;
/// the server refuses to serve an endpoint that declares none. Roles grant permissions (<see cref="Roles"/>).
/// </summary>
public static class Permission
{
    /// <summary>No key needed: health, the signed click and unsubscribe links a customer follows from a message.</summary>
    public const string Public = "public";
    /// <summary>Any valid key or console session, whatever its role: who am I, signing out.</summary>
    public const string SignedIn = "signed-in";
    /// <summary>Read reports and metrics: KPIs, funnels, cohorts, attribution, RFM, lifecycle, CLV, goals, the overview.</summary>
    public const string ReportsRead = "reports:read";
    /// <summary>Read segments, audiences and customer profiles (personal data masked unless <see cref="PersonalData"/>).</summary>
    public const string CustomersRead = "customers:read";
    /// <summary>Run marketing: promotions, coupons, journeys, broadcasts, templates, segments, audiences, goals, CLV fits.</summary>
    public const string MarketingWrite = "marketing:write";
    /// <summary>See personal data (phone, email, name, birth date, address, platform buyer ids) in clear.</summary>
    public const string PersonalData = "personal:read";
    /// <summary>Write the record: events, orders, customers, identities, imports (the shop's backend).</summary>
    public const string IngestWrite = "ingest:write";
    /// <summary>Check out: price carts, quote refunds, claim, redeem and release coupons (the shop's backend at checkout).</summary>
    public const string Checkout = "checkout";
    /// <summary>Administer: API keys, settings, the pricing pipeline, the audit log, erasing a customer's personal data.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [ReportsRead, CustomersRead, MarketingWrite, PersonalData, IngestWrite, Checkout, Admin];
}

/// <summary>The roles a key can have and what each may do.</summary>
public static class Roles
{
    public const string AdminRole = "admin";
    public const string Marketer = "marketer";
    public const string Analyst = "analyst";
    public const string Viewer = "viewer";
    public const string Ingest = "ingest";

    /// <summary>Each role's permissions. Admin has all; analysts read customers pseudonymised; the ingest role (the shop's backend) writes the record and checks out.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Grants { get; } = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        [AdminRole] = new HashSet<string>(Permission.All, StringComparer.Ordinal),
        [Marketer] = new HashSet<string>([Permission.ReportsRead, Permission.CustomersRead, Permission.MarketingWrite, Permission.PersonalData, Permission.Checkout], StringComparer.Ordinal),
        [Analyst] = new HashSet<string>([Permission.ReportsRead, Permission.CustomersRead], StringComparer.Ordinal),
        [Viewer] = new HashSet<string>([Permission.ReportsRead], StringComparer.Ordinal),
        [Ingest] = new HashSet<string>([Permission.IngestWrite, Permission.Checkout], StringComparer.Ordinal),
    };

    public static IReadOnlyList<string> All { get; } = [AdminRole, Marketer, Analyst, Viewer, Ingest];

    public static bool Allows(string role, string permission) =>
        permission == Permission.Public || (Grants.TryGetValue(role, out var granted) && (permission == Permission.SignedIn || granted.Contains(permission)));
}
