using System.ComponentModel.DataAnnotations;

namespace Flywheel.Hosting.Access;

/// <summary>A token bucket: <paramref name="PerSecond"/> requests are added every <paramref name="PeriodSeconds"/> seconds (1 unless set), up to the burst a key may spend at once.</summary>
public sealed record RateLimit(int PerSecond, int Burst, int PeriodSeconds = 1);

/// <summary>
/// Settings of API access (configuration section "Access"): the per-key rate limit of each role (OWASP API4). A key over its
/// limit gets 429 with Retry-After. Defaults: ingest 1,000/s (bursts of 5,000, a shop's backend); admin 200/s (1,000); marketer,
/// analyst and viewer 50/s (200). A console session lasts <see cref="SessionHours"/> (12); a query endpoint is stopped after
/// <see cref="QueryTimeoutSeconds"/> (30) and answers 503.
/// </summary>
public sealed class AccessOptions : IValidatableObject
{
    public const string Section = "Access";

    public Dictionary<string, RateLimit> RateLimits { get; set; } = new(StringComparer.Ordinal)
    {
        [Roles.Ingest] = new(1_000, 5_000),
        [Roles.AdminRole] = new(200, 1_000),
        [Roles.Marketer] = new(50, 200),
        [Roles.Analyst] = new(50, 200),
        [Roles.Viewer] = new(50, 200),
    };

    /// <summary>How long a console session lasts after signing in, in hours (1 to 720).</summary>
    [Range(1, 720)]
    public int SessionHours { get; set; } = 12;

    /// <summary>How long a query endpoint (reports, segments, exports) may run before it is stopped with 503, in seconds (1 to 3,600).</summary>
    [Range(1, 3_600)]
    public int QueryTimeoutSeconds { get; set; } = 30;

    /// <summary>How many query endpoints may run at once (1 to 1,024; default twice the processors); beyond that they answer 429.</summary>
    [Range(1, 1_024)]
    public int MaxConcurrentQueries { get; set; } = Math.Max(2, 2 * Environment.ProcessorCount);

    public RateLimit Limit(string role) => RateLimits.TryGetValue(role, out var limit) ? limit : new RateLimit(50, 200);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (role, limit) in RateLimits)
        {
            if (!Roles.All.Contains(role, StringComparer.Ordinal))
                yield return new ValidationResult($"RateLimits: unknown role '{role}' (roles: {string.Join(", ", Roles.All)})", [nameof(RateLimits)]);
            if (limit.PerSecond is < 1 or > 1_000_000 || limit.Burst is < 1 or > 10_000_000 || limit.PeriodSeconds is < 1 or > 86_400)
                yield return new ValidationResult($"RateLimits.{role}: PerSecond 1..1,000,000, Burst 1..10,000,000, PeriodSeconds 1..86,400", [nameof(RateLimits)]);
        }
    }
}
