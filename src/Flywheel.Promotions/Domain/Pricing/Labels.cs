using System.Globalization;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;

namespace Flywheel.Promotions.Domain.Pricing;

/// <summary>Shopper-readable names of mechanics, in Chinese and English, as the platforms write them (满300减40, 2件9折).</summary>
internal static class Labels
{
    /// <summary>Whole yuan without decimals ("300"), otherwise two decimals ("299.50").</summary>
    public static string Yuan(long fen) =>
        fen % 100 == 0 ? (fen / 100).ToString(CultureInfo.InvariantCulture) : MoneyText.Format(fen);

    /// <summary>An amount for a sentence: "¥23.00".</summary>
    public static string Price(long fen) => "¥" + MoneyText.Format(fen);

    /// <summary>9折 for 10 percent off, 8.5折 for 15.</summary>
    public static string Zhe(int percentOff)
    {
        var pay = 100 - percentOff;
        return pay % 10 == 0 ? (pay / 10).ToString(CultureInfo.InvariantCulture) + "折"
            : (pay / 10).ToString(CultureInfo.InvariantCulture) + "." + (pay % 10).ToString(CultureInfo.InvariantCulture) + "折";
    }

    public static (string Zh, string En) Of(Mechanic mechanic) => mechanic switch
    {
        ThresholdOff m => ($"满{Yuan(m.Threshold)}减{Yuan(m.AmountOff)}", $"¥{Yuan(m.AmountOff)} off orders of ¥{Yuan(m.Threshold)}"),
        RepeatingThresholdOff m => ($"每满{Yuan(m.Step)}减{Yuan(m.AmountOff)}" + (m.Cap is { } c ? $"(最多减{Yuan(c)})" : ""),
            $"¥{Yuan(m.AmountOff)} off every ¥{Yuan(m.Step)}" + (m.Cap is { } c2 ? $" (up to ¥{Yuan(c2)})" : "")),
        TieredThresholdOff m => (string.Join("/", m.Tiers.Select(t => $"满{Yuan(t.Threshold)}减{Yuan(t.AmountOff)}")),
            string.Join(", ", m.Tiers.Select(t => $"¥{Yuan(t.AmountOff)} off ¥{Yuan(t.Threshold)}"))),
        ThresholdPercentOff m => ($"满{Yuan(m.Threshold)}打{Zhe(m.PercentOff)}", $"{m.PercentOff}% off orders of ¥{Yuan(m.Threshold)}"),
        QuantityPercentOff m => (string.Join("/", m.Tiers.Select(t => $"{t.Quantity}件{Zhe(t.PercentOff)}")),
            string.Join(", ", m.Tiers.Select(t => $"{t.PercentOff}% off {t.Quantity} items"))),
        BuyXGetY { Buy: 1, Get: 1, PercentOff: 50, GetSku: null } => ("第二件半价", "second item half price"),
        BuyXGetY m => ($"买{m.Buy}{(m.PercentOff == 100 ? "送" : "件第" + (m.Buy + 1) + "件" + Zhe(m.PercentOff) + "×")}{m.Get}",
            $"buy {m.Buy} get {m.Get}" + (m.PercentOff == 100 ? " free" : $" {m.PercentOff}% off")),
        GiftWithPurchase m => ($"满{Yuan(m.Threshold)}送{m.GiftSku}", $"free {m.GiftSku} with orders of ¥{Yuan(m.Threshold)}"),
        DirectDiscount { PercentOff: { } p } => ($"直降{Zhe(p)}", $"{p}% off"),
        DirectDiscount m => ($"直降{Yuan(m.AmountOff ?? 0)}元", $"¥{Yuan(m.AmountOff ?? 0)} off each"),
        FlashPrice m => ($"限时价{Yuan(m.UnitPrice)}", $"flash price ¥{Yuan(m.UnitPrice)}"),
        MemberPrice => ("会员价", "member price"),
        MemberDay m => ($"会员日{Zhe(m.PercentOff)}", $"member day {m.PercentOff}% off"),
        FreeShipping m => ($"满{Yuan(m.Threshold)}包邮", $"free shipping over ¥{Yuan(m.Threshold)}"),
        PresaleDeposit m => ($"定金{Yuan(m.Deposit)}抵{Yuan(m.Value)}", $"deposit ¥{Yuan(m.Deposit)} worth ¥{Yuan(m.Value)}"),
        _ => ("优惠", "discount"),
    };
}
