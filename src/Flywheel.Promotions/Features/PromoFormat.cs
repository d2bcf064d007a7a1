using System.CommandLine;

namespace Flywheel.Promotions.Features;

/// <summary>The <c>--format text|json</c> option the <c>promo</c> commands share.</summary>
internal static class PromoFormat
{
    public static Option<string> Option() => new("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };

    /// <summary>Fen as yuan for people: ¥351.50.</summary>
    public static string Yuan(long fen) => "¥" + Flywheel.Primitives.MoneyText.Format(fen);
}
