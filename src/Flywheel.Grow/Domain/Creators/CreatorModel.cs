using System.Globalization;
using System.Text;
using Flywheel.Primitives;

namespace Flywheel.Grow.Domain.Creators;

/// <summary>A creator (KOL, KOC or 素人) the brand works with; <see cref="CreatorId"/> is the kol_id events carry.</summary>
internal sealed record Creator(string CreatorId, string Name, string Platform, long Followers, string Tier, string? Category);

/// <summary>
/// A collaboration with one creator: a fee (fen) due when it posts, a commission in basis points (1/100 of a percent) of the GMV
/// attributed to it, an exclusive tracking link code and an exclusive coupon code (either may be absent).
/// </summary>
internal sealed record Collaboration(string CollabId, string CreatorId, string Title, long Fee, int CommissionBp, string? Deliverables,
    DateTimeOffset PostingAt, string? LinkCode, string? CouponCode, string Status, DateTimeOffset CreatedAt);

/// <summary>The statuses of a collaboration, in the order it moves through them; cancelled can follow any but settled.</summary>
internal static class CollaborationStatus
{
    public const string Planned = "planned";
    public const string Contracted = "contracted";
    public const string Posted = "posted";
    public const string Settled = "settled";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Planned, Contracted, Posted, Settled, Cancelled];

    public static bool IsValid(string? status) => status is not null && All.Contains(status, StringComparer.Ordinal);

    public static string Expected => string.Join(", ", All);

    /// <summary>Forward only (planned → contracted → posted → settled), or to cancelled from anything not settled; staying is allowed.</summary>
    public static Error? CheckMove(string from, string to)
    {
        if (from == to) return null;
        if (from is Settled or Cancelled) return Error.Conflict("status", $"the collaboration is {from}; its status cannot change any more");
        if (to == Cancelled) return null;
        var a = Order(from);
        var b = Order(to);
        return b > a ? null : Error.Conflict("status", $"the collaboration is {from}; it can move on to a later status ({string.Join(", ", All.Skip(a + 1))}), not back to {to}");
    }

    private static int Order(string status) => All.ToList().IndexOf(status);
}

/// <summary>Checks of creators and collaborations, the same for JSON, CSV and the command line. Pure.</summary>
internal static class CreatorRules
{
    public const int MaxIdLength = 128;
    public const int MaxTextLength = 500;
    /// <summary>No platform has ten billion followers: a larger count is a typo (or an overflow attempt).</summary>
    public const long MaxFollowers = 10_000_000_000;
    /// <summary>A fee above 100 million yuan is a typo in fen.</summary>
    public const long MaxFee = 10_000_000_000;

    public static Error? CheckId(string? id, string path)
    {
        if (string.IsNullOrWhiteSpace(id)) return Error.Invalid(path, $"{path} is missing");
        if (id.Length > MaxIdLength) return Error.Invalid(path, $"{path} is {id.Length} characters; at most {MaxIdLength}");
        if (id.Any(char.IsControl) || id != id.Trim()) return Error.Invalid(path, $"{path} '{id}' has control characters or surrounding spaces");
        return null;
    }

    public static Error? CheckText(string? text, string path, bool required)
    {
        if (string.IsNullOrWhiteSpace(text)) return required ? Error.Invalid(path, $"{path} is missing") : null;
        if (text.Length > MaxTextLength) return Error.Invalid(path, $"{path} is {text.Length} characters; at most {MaxTextLength}");
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t')) return Error.Invalid(path, $"{path} has control characters");
        return null;
    }

    /// <summary>A creator whose every field is valid, or the error naming the first bad one (its path prefixed by <paramref name="at"/>).</summary>
    public static Result<Creator> Creator(string? id, string? name, string? platform, long? followers, string? tier, string? category, string at = "")
    {
        if (CheckId(id, "creator_id") is { } badId) return badId with { Path = at + badId.Path };
        if (CheckText(name, "name", required: true) is { } badName) return badName with { Path = at + badName.Path };
        if (!Platforms.IsKnown(platform))
            return Error.Invalid(at + "platform", $"platform '{platform}' is not one of {Platforms.Expected}");
        if (followers is not { } count) return Error.Invalid(at + "followers", "followers is missing: give the follower count as a whole number");
        if (count < 0) return Error.Invalid(at + "followers", $"followers is {count}; it cannot be negative");
        if (count > MaxFollowers) return Error.Invalid(at + "followers", $"followers is {count}; at most {MaxFollowers}");
        if (!CreatorTier.IsValid(tier)) return Error.Invalid(at + "tier", $"tier '{tier}' is not one of {string.Join(", ", CreatorTier.All)}");
        if (CheckText(category, "category", required: false) is { } badCategory) return badCategory with { Path = at + badCategory.Path };
        return new Creator(id!, name!.Trim(), platform!, count, tier!, string.IsNullOrWhiteSpace(category) ? null : category.Trim());
    }

    public static Error? CheckFee(long fee) =>
        fee < 0 ? Error.Invalid("fee", $"fee is {fee} fen; it cannot be negative")
        : fee > MaxFee ? Error.Invalid("fee", $"fee is {fee} fen; at most {MaxFee}") : null;

    public static Error? CheckCommission(long bp) =>
        bp is < 0 or > 10_000 ? Error.Invalid("commission_bp", $"commission_bp is {bp}; give basis points from 0 to 10000 (1500 = 15%)") : null;

    /// <summary>A moment as ISO 8601 with an offset (2026-11-01T20:00:00+08:00).</summary>
    public static Result<DateTimeOffset> ParseMoment(string? text, string path)
    {
        if (string.IsNullOrWhiteSpace(text)) return Error.Invalid(path, $"{path} is missing: give it as 2026-11-01T20:00:00+08:00");
        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mmzzz",
                "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return Error.Invalid(path, $"'{text}' is not a time with an offset: give it as 2026-11-01T20:00:00+08:00");
        if (at.Year is < 2000 or > 2087) return Error.Invalid(path, $"{path} {text} is outside 2000..2087");
        return at;
    }
}

/// <summary>
/// The creators CSV: a header naming the columns creator_id, name, platform, followers, tier, category (any order; category
/// may be absent), then one creator a row. Quoted fields ("a, b", "say ""hi""") as RFC 4180. Pure.
/// </summary>
internal static class CreatorCsv
{
    public static readonly IReadOnlyList<string> Columns = ["creator_id", "name", "platform", "followers", "tier", "category"];

    /// <summary>
    /// Every creator of the file, or the first error, naming the row (data rows count from 1; the header is line 1) and the
    /// column: <c>row 3.platform</c>. A creator_id twice in the file is an error on the second.
    /// </summary>
    public static Result<IReadOnlyList<Creator>> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var records = Records(text);
        if (!records.TryGetValue(out var rows, out var error)) return error;
        if (rows.Count == 0) return Error.Invalid("header", $"the file is empty; its first line names the columns {string.Join(",", Columns)}");
        var header = rows[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        foreach (var column in Columns.Take(5))
            if (!header.Contains(column)) return Error.Invalid("header", $"the header has no column '{column}'; it needs {string.Join(",", Columns)}");
        foreach (var column in header)
            if (!Columns.Contains(column)) return Error.Invalid("header", $"unknown column '{column}'; the columns are {string.Join(",", Columns)}");
        if (header.Distinct().Count() != header.Count) return Error.Invalid("header", "a column is named twice");
        int At(string column) => header.IndexOf(column);
        var creators = new List<Creator>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 1; r < rows.Count; r++)
        {
            var (line, fields) = rows[r];
            if (fields.Count == 1 && fields[0].Length == 0) continue; // a blank line
            var at = $"row {r}.";
            if (fields.Count != header.Count)
                return Error.Invalid($"row {r}", $"line {line} has {fields.Count} fields; the header has {header.Count}");
            string? Field(string column) => At(column) is var i and >= 0 ? fields[i].Trim() : null;
            long? followers = null;
            var followersText = Field("followers");
            if (!string.IsNullOrEmpty(followersText))
            {
                if (!long.TryParse(followersText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
                    return Error.Invalid(at + "followers", $"followers '{followersText}' is not a whole number (line {line})");
                followers = count;
            }
            var creator = CreatorRules.Creator(Field("creator_id"), Field("name"), Field("platform"), followers, Field("tier"), Field("category"), at);
            if (!creator.TryGetValue(out var one, out error)) return error with { Message = $"{error.Message} (line {line})" };
            if (seen.TryGetValue(one.CreatorId, out var first))
                return Error.Invalid(at + "creator_id", $"creator_id '{one.CreatorId}' is already on row {first} (line {line}); each creator once a file");
            seen[one.CreatorId] = r;
            creators.Add(one);
        }
        if (creators.Count == 0) return Error.Invalid("row 1", "the file has a header and no creators");
        return creators;
    }

    /// <summary>RFC 4180 records with the line each starts on.</summary>
    private static Result<List<(int Line, List<string> Fields)>> Records(string text)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                    quoted = false;
                    i++;
                    continue;
                }
                if (c == '\n') line++;
                field.Append(c);
                i++;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add((start, fields));
                    fields = [];
                    line++;
                    start = line;
                    any = false;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
            i++;
        }
        if (quoted) return Error.Invalid($"line {start}", $"a quoted field opened on line {start} is never closed");
        if (any || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((start, fields));
        }
        return records;
    }
}
