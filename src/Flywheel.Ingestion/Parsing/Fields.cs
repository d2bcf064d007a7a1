using System.Globalization;
using System.Text.Json;
using Flywheel.Primitives;
using Flywheel.Storage.Contracts;
using NodaTime;

namespace Flywheel.Ingestion.Parsing;

/// <summary>
/// Settings every row parser needs: the store's time zone for times written without an offset, the currency
/// of money columns, and "now" for range checks (a purchase cannot be in the future).
/// </summary>
internal sealed class ParseContext
{
    /// <summary>Earliest time accepted anywhere: older data is almost certainly a unit mistake (seconds vs ms, 1970).</summary>
    public static readonly long MinTime = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>How far in the future a time may be (clock skew between a shop and us).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(2);

    public ParseContext(string timeZone, DateTimeOffset now, string currency = "CNY", bool assumePaid = false)
    {
        AssumePaid = assumePaid;
        Zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone)
            ?? throw new ArgumentException($"unknown time zone '{timeZone}'", nameof(timeZone));
        TimeZoneId = timeZone;
        Now = now;
        MaxTime = (now + FutureTolerance).ToUnixTimeMilliseconds();
        Currency = currency;
    }

    public DateTimeZone Zone { get; }
    public string TimeZoneId { get; }
    public DateTimeOffset Now { get; }
    public long MaxTime { get; }
    /// <summary>The store's currency: money in any other is refused (<see cref="Storage.StoreCurrency"/>).</summary>
    public string Currency { get; }

    /// <summary>An order with no status and no paid time was paid when placed (--assume-paid).</summary>
    public bool AssumePaid { get; }

    public static bool IsTimeZone(string id) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is not null;
}

/// <summary>One input record, whatever its format: a CSV row, an NDJSON line, an item of an HTTP batch.</summary>
internal interface IRecordFields
{
    /// <summary>The field's text, or null when absent or empty.</summary>
    string? Get(string column);

    /// <summary>Whether the input carries this column at all (a CSV header names it, a JSON object has the property).</summary>
    bool Has(string column);

    /// <summary>Where a field is, for error messages: file:line:column (name) or a JSON path.</summary>
    string Where(string column);

    /// <summary>
    /// The JSON type of a field that is present but not a JSON string ("number", "boolean"), or null (a string, absent, or a
    /// format without types such as CSV). Text fields refuse it: "event_id": true is a mistake, not the id "true".
    /// </summary>
    string? NotText(string column) => null;
}

/// <summary>Field parsers that return errors naming the place and the problem.</summary>
internal static class Fields
{
    public const int MaxTextLength = 256;
    public const int MaxPropertiesLength = 64 * 1024;

    public static Result<string> Required(IRecordFields r, string column)
    {
        var value = r.Get(column);
        if (value is null) return Error.Invalid(r.Where(column), $"'{column}' is required");
        return Text(r, column, value);
    }

    public static Result<string?> Optional(IRecordFields r, string column)
    {
        var value = r.Get(column);
        if (value is null) return (string?)null;
        var text = Text(r, column, value);
        return text.IsSuccess ? text.Value : text.Error!;
    }

    private static Result<string> Text(IRecordFields r, string column, string value)
    {
        if (NotText(r, column) is { } wrongType) return wrongType;
        if (value.Length > MaxTextLength)
            return Error.Invalid(r.Where(column), $"'{column}' is {value.Length} characters long; at most {MaxTextLength} are allowed");
        foreach (var c in value)
            if (char.IsControl(c))
                return Error.Invalid(r.Where(column), $"'{column}' contains a control character (U+{(int)c:X4})");
        return value;
    }

    /// <summary>An error when a text field holds a JSON number or boolean; only the contract's numeric fields take those.</summary>
    private static Error? NotText(IRecordFields r, string column) =>
        r.NotText(column) is { } kind
            ? Error.Invalid(r.Where(column), $"'{column}' is text: give it as a JSON string, not a {kind} (numbers are for quantities and amounts)")
            : null;

    /// <summary>
    /// Money in major units (yuan) with at most two decimals, not negative, at most <see cref="MoneyBounds.MaxAmount"/>
    /// (¥10,000,000,000.00: the bound that keeps every report's sums within a 64-bit amount).
    /// </summary>
    public static Result<long?> Money(IRecordFields r, string column)
    {
        var value = r.Get(column);
        if (value is null) return (long?)null;
        if (!MoneyText.TryParseMajor(value, out var minor))
            return Error.Invalid(r.Where(column), $"'{value}' is not an amount in yuan with at most two decimals (e.g. 199.00), at most {MoneyBounds.Yuan(MoneyBounds.MaxAmount)}");
        if (minor < 0)
            return Error.Invalid(r.Where(column), $"'{column}' must not be negative (got {value})");
        if (minor > MoneyBounds.MaxAmount)
            return Error.Invalid(r.Where(column), $"'{column}' is {value} yuan; an amount is at most {MoneyBounds.Yuan(MoneyBounds.MaxAmount)} yuan (README, the CSV contract)");
        return minor;
    }

    public static Result<long> RequiredMoney(IRecordFields r, string column)
    {
        if (r.Get(column) is null) return Error.Invalid(r.Where(column), $"'{column}' is required");
        var money = Money(r, column);
        return money.IsSuccess ? money.Value!.Value : money.Error!;
    }

    /// <summary>A whole number in [min, max].</summary>
    public static Result<long?> WholeNumber(IRecordFields r, string column, long min, long max)
    {
        var value = r.Get(column);
        if (value is null) return (long?)null;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return Error.Invalid(r.Where(column), $"'{value}' is not a whole number");
        if (n < min || n > max)
            return Error.Invalid(r.Where(column), $"'{column}' must be between {min} and {max} (got {n})");
        return n;
    }

    /// <summary>An ISO 8601 time as UTC Unix milliseconds; without an offset it is read in the store's time zone.</summary>
    public static Result<long?> Time(IRecordFields r, string column, ParseContext context)
    {
        var value = r.Get(column);
        if (value is null) return (long?)null;
        if (NotText(r, column) is { } wrongType) return wrongType;
        if (!IsoTime.TryParse(value, context.Zone, out var ms))
            return Error.Invalid(r.Where(column), $"'{value}' is not an ISO 8601 time (e.g. 2026-05-01T10:00:00+08:00)");
        if (ms < ParseContext.MinTime || ms > context.MaxTime)
            return Error.Invalid(r.Where(column), $"'{value}' is out of range: times must fall between 1990-01-01 and now");
        return ms;
    }

    public static Result<long> RequiredTime(IRecordFields r, string column, ParseContext context)
    {
        if (r.Get(column) is null) return Error.Invalid(r.Where(column), $"'{column}' is required");
        var time = Time(r, column, context);
        return time.IsSuccess ? time.Value!.Value : time.Error!;
    }

    public static Result<DateOnly?> Date(IRecordFields r, string column, DateOnly min, DateOnly max)
    {
        var value = r.Get(column);
        if (value is null) return (DateOnly?)null;
        if (NotText(r, column) is { } wrongType) return wrongType;
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return Error.Invalid(r.Where(column), $"'{value}' is not a date in the form yyyy-MM-dd");
        if (date < min || date > max)
            return Error.Invalid(r.Where(column), $"'{value}' is out of range ({min:yyyy-MM-dd} to {max:yyyy-MM-dd})");
        return date;
    }

    /// <summary>Maps accepted spellings (case-insensitive) to a canonical value; anything else is an error that lists the choices.</summary>
    public static Result<string?> Enum(IRecordFields r, string column, IReadOnlyDictionary<string, string> accepted, string choices)
    {
        var value = r.Get(column);
        if (value is null) return (string?)null;
        // A JSON true/false stands for itself only where the choices spell it (consents: granted/withdrawn, yes/true ...).
        if (r.NotText(column) is { } kind && !(kind == "boolean" && accepted.ContainsKey("true")))
            return NotText(r, column)!;
        if (accepted.TryGetValue(value.Trim(), out var canonical)) return canonical;
        return Error.Invalid(r.Where(column), $"unknown {column} '{value}' (expected one of: {choices})");
    }

    /// <summary>A JSON object, re-validated and kept as text.</summary>
    public static Result<string?> JsonObject(IRecordFields r, string column)
    {
        var value = r.Get(column);
        if (value is null) return (string?)null;
        if (value.Length > MaxPropertiesLength)
            return Error.Invalid(r.Where(column), $"'{column}' is {value.Length} characters; at most {MaxPropertiesLength} are allowed");
        try
        {
            using var doc = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return Error.Invalid(r.Where(column), $"'{column}' must be a JSON object, not {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }
        catch (JsonException e)
        {
            return Error.Invalid(r.Where(column), $"'{column}' is not valid JSON: {e.Message}");
        }
        return value;
    }

    public static Dictionary<string, string> Choices(params (string Canonical, string[] Spellings)[] items)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (canonical, spellings) in items)
        {
            map[canonical] = canonical;
            foreach (var s in spellings) map[s] = canonical;
        }
        return map;
    }
}
