using System.ComponentModel.DataAnnotations;

namespace Flywheel.Promotions;

/// <summary>
/// Settings of the Promotions module (configuration section "Promotions"). Every default is documented and every setting
/// bounded; <see cref="PromotionsModule.AddPromotions"/> validates them when the host starts, so a bad value stops it with the
/// setting's name instead of surprising a shopper later.
/// </summary>
public sealed class PromotionsOptions
{
    public const string Section = "Promotions";

    /// <summary>Largest promotion, cart or refund body accepted, in bytes (default 16 MiB, between 1 KiB and 1 GiB).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest coupon request body, in bytes (default 64 KiB, between 1 KiB and 1 MiB): coupon bodies are a few fields.</summary>
    [Range(1024, 1024 * 1024)]
    public long MaxCouponRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Most codes one <c>POST /v1/coupons/batches</c> may generate (default 100,000, between 0 and 1,000,000); the codes come
    /// back in the response body, so larger runs belong to <c>flywheel coupons generate</c>, which writes a file.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxGenerateOverHttp { get; set; } = 100_000;
}
