using System.Globalization;

namespace Flywheel.Primitives;

/// <summary>An ISO 4217 currency code such as CNY. Upper-case, three letters.</summary>
public readonly record struct Currency
{
    public static readonly Currency Cny = new("CNY");

    /// <summary>The store setting that names the store's currency (an ISO code; <see cref="Cny"/> when absent).</summary>
    public const string SettingKey = "currency";

    public string Code { get; }

    private Currency(string code) => Code = code;

    public static Result<Currency> Parse(string? code)
    {
        if (code is null || code.Length != 3 || !code.All(char.IsAsciiLetter))
            return Error.Invalid("currency", $"'{code}' is not an ISO 4217 code such as CNY");
        return new Currency(code.ToUpperInvariant());
    }

    /// <summary>The currency a store setting names; <see cref="Cny"/> when it is absent or not an ISO code.</summary>
    public static Currency FromSetting(string? code) => Parse(code).TryGetValue(out var currency, out _) ? currency : Cny;

    /// <summary>
    /// What text output puts before an amount: ¥ (CNY, JPY), $ (USD), £ (GBP), € (EUR), HK$ (HKD), else the code and a
    /// space ("SGD "). A default value is CNY.
    /// </summary>
    public string Symbol => Code switch
    {
        null or "CNY" or "JPY" => "¥",
        "USD" => "$",
        "GBP" => "£",
        "EUR" => "€",
        "HKD" => "HK$",
        var code => code + " ",
    };

    public override string ToString() => Code ?? Cny.Code;
}

/// <summary>
/// An amount of money in integer minor units (fen for CNY) with its currency. Never floating point:
/// every rounding is explicit at the place that does it.
/// </summary>
public readonly record struct Money(long Minor, Currency Currency)
{
    public static Money Cny(long fen) => new(fen, Currency.Cny);

    public static Money operator +(Money a, Money b)
    {
        SameCurrency(a, b);
        return new(checked(a.Minor + b.Minor), a.Currency);
    }

    public static Money operator -(Money a, Money b)
    {
        SameCurrency(a, b);
        return new(checked(a.Minor - b.Minor), a.Currency);
    }

    public Money Times(long quantity) => new(checked(Minor * quantity), Currency);

    /// <summary>The amount in major units with two decimals, e.g. 351.50. Invariant culture.</summary>
    public string ToMajorString() => MoneyText.Format(Minor);

    public override string ToString() => $"{MoneyText.Format(Minor)} {Currency.Code}";

    private static void SameCurrency(Money a, Money b)
    {
        if (a.Currency != b.Currency)
            throw new InvalidOperationException($"cannot combine {a.Currency} with {b.Currency}");
    }
}

/// <summary>Exact conversion between decimal text in major units ("12.34") and minor units (1234).</summary>
public static class MoneyText
{
    /// <summary>Largest amount accepted from text: 10^15 minor units (10 trillion yuan), far from overflow.</summary>
    public const long MaxMinor = 1_000_000_000_000_000;

    /// <summary>
    /// Parses a non-negative or negative amount in major units with at most two decimals, exactly (no floating point).
    /// Accepts "12", "12.3", "12.34", "-5.00"; rejects "1e3", "12.345", "1,000", "".
    /// </summary>
    public static bool TryParseMajor(ReadOnlySpan<char> text, out long minor)
    {
        minor = 0;
        text = text.Trim();
        if (text.IsEmpty) return false;
        var negative = false;
        if (text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            text = text[1..];
            if (text.IsEmpty) return false;
        }
        long whole = 0;
        var i = 0;
        var digits = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++, digits++)
        {
            whole = whole * 10 + (text[i] - '0');
            if (whole > MaxMinor / 100) return false;
        }
        long fraction = 0;
        var fractionDigits = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                if (++fractionDigits > 2) return false;
                fraction = fraction * 10 + (text[i] - '0');
            }
            if (fractionDigits == 0 && digits == 0) return false;
        }
        if (i != text.Length || digits + fractionDigits == 0) return false;
        if (fractionDigits == 1) fraction *= 10;
        minor = whole * 100 + fraction;
        if (negative) minor = -minor;
        return true;
    }

    /// <summary>
    /// An amount for people: the currency's symbol, thousands separators and two decimals ("£1,234.50", "-¥5.00"). Every
    /// currency is kept in hundredths, JPY included (its amounts then show ".00").
    /// </summary>
    public static string Display(long minor, Currency currency) => (minor < 0 ? "-" : "") + Unsigned(minor, currency);

    /// <summary>A change for people: like <see cref="Display"/> with a sign always ("+£50.00", "-£5.00", "+£0.00").</summary>
    public static string DisplaySigned(long minor, Currency currency) => (minor < 0 ? "-" : "+") + Unsigned(minor, currency);

    private static string Unsigned(long minor, Currency currency)
    {
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{currency.Symbol}{abs / 100:#,0}.{abs % 100:00}");
    }

    /// <summary>Formats minor units as major units with exactly two decimals ("351.50").</summary>
    public static string Format(long minor)
    {
        var sign = minor < 0 ? "-" : "";
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:00}");
    }
}
