using System.Globalization;
using System.Text;
using Flywheel.Primitives;
using NodaTime;

namespace Flywheel.Grow.Domain.Content;

/// <summary>
/// One data row of a content CSV, checked on its own: every given cell parsed, unknown codes refused. Null means the cell was
/// empty or its column absent: a new item then takes the default (no creator, 0), a stored one keeps what it has.
/// </summary>
internal sealed record ContentPatch(int Row, string ContentId, string? Title, string? Kind, string? Platform, long? PublishedAt, string? Owner,
    string? CreatorId, string? Stage, long? Cost, long? Views, long? Likes, long? Comments, long? Saves, long? Shares, long? LiveWatchers,
    long? PlatformGmv);

/// <summary>
/// Reads the content ledger's CSV (RFC 4180: a header row, commas, quoted fields with "" for a quote). Columns: content_id (required),
/// title, kind, platform, published_at, owner, creator_id, stage, cost and platform_gmv in yuan ("1280.50"), and the counts views,
/// likes, comments, saves, shares, live_watchers. Every error names the data row (1 = the first after the header) and the column.
/// </summary>
internal static class ContentCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "content_id", "title", "kind", "platform", "published_at", "owner", "creator_id", "stage", "cost", "views", "likes", "comments", "saves",
        "shares", "live_watchers", "platform_gmv",
    ];

    /// <summary>The rows of <paramref name="text"/>, or the first error; <paramref name="zone"/> places times given without an offset.</summary>
    public static Result<IReadOnlyList<ContentPatch>> Parse(string text, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = Split(text);
        if (!records.TryGetValue(out var rows, out var error)) return error;
        if (rows.Count == 0) return Error.Invalid("header", "the file is empty: give a header row (content_id, title, kind, ...) and data rows");
        var header = rows[0].Fields;
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().ToLowerInvariant();
            if (!Columns.Contains(name, StringComparer.Ordinal))
                return Error.Invalid($"header.{(name.Length == 0 ? $"column {i + 1}" : name)}", $"unknown column '{header[i]}' (known: {string.Join(", ", Columns)})");
            if (!at.TryAdd(name, i)) return Error.Invalid($"header.{name}", $"column '{name}' is given twice");
        }
        if (!at.ContainsKey("content_id")) return Error.Invalid("header.content_id", "the content_id column is required");
        if (rows.Count == 1) return Error.Invalid("row 1", "the file has a header but no data rows");

        var patches = new List<ContentPatch>(rows.Count - 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 1; r < rows.Count; r++)
        {
            var fields = rows[r].Fields;
            var row = r;
            var place = $"row {row} (line {rows[r].Line})";
            if (fields.Count != header.Count)
                return Error.Invalid(place, $"has {fields.Count} fields, the header has {header.Count}");
            string? Cell(string column) => at.TryGetValue(column, out var i) && fields[i].Trim() is { Length: > 0 } v ? v : null;
            Error Bad(string column, string message) => Error.Invalid($"{place}.{column}", message);

            var id = Cell("content_id");
            if (id is null) return Bad("content_id", "content_id is required");
            if (id.Length > ContentVocabulary.MaxIdLength || id.Any(char.IsControl))
                return Bad("content_id", $"an id is at most {ContentVocabulary.MaxIdLength} characters without control characters");
            if (!seen.TryAdd(id, row)) return Bad("content_id", $"'{id}' is also on row {seen[id]}: each item once per file");
            var title = Cell("title");
            if (title is { Length: > ContentVocabulary.MaxTitleLength }) return Bad("title", $"a title is at most {ContentVocabulary.MaxTitleLength} characters");
            var kind = Cell("kind");
            if (kind is not null && !ContentVocabulary.IsKind(kind)) return Bad("kind", $"'{kind}' is not a kind (known: {string.Join(", ", ContentVocabulary.Kinds)})");
            var platform = Cell("platform");
            if (platform is not null && !Platforms.IsKnown(platform)) return Bad("platform", $"'{platform}' is not a platform (known: {Platforms.Expected})");
            var owner = Cell("owner");
            if (owner is not null && !ContentVocabulary.IsOwner(owner)) return Bad("owner", $"'{owner}' is not an owner (known: {string.Join(", ", ContentVocabulary.Owners)})");
            var stage = Cell("stage");
            if (stage is not null && !LifecycleStage.IsValid(stage)) return Bad("stage", $"'{stage}' is not a lifecycle stage (known: {LifecycleStage.Expected})");
            var creator = Cell("creator_id");
            if (creator is { Length: > ContentVocabulary.MaxIdLength }) return Bad("creator_id", $"an id is at most {ContentVocabulary.MaxIdLength} characters");
            long? published = null;
            if (Cell("published_at") is { } when)
            {
                if (!TryTime(when, zone, out var ms)) return Bad("published_at", $"'{when}' is not a time: give yyyy-MM-dd, yyyy-MM-dd HH:mm[:ss] or ISO 8601 with an offset, between 2000 and 2087");
                published = ms;
            }
            var numbers = new long?[8];
            string[] numberColumns = ["cost", "views", "likes", "comments", "saves", "shares", "live_watchers", "platform_gmv"];
            for (var n = 0; n < numberColumns.Length; n++)
            {
                var column = numberColumns[n];
                if (Cell(column) is not { } value) continue;
                var money = column is "cost" or "platform_gmv";
                long parsed;
                if (money ? !MoneyText.TryParseMajor(value, out parsed) : !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed))
                    return Bad(column, money ? $"'{value}' is not an amount in yuan (like 1280 or 1280.50)" : $"'{value}' is not a whole number");
                if (parsed < 0) return Bad(column, $"{column} cannot be negative (got {value})");
                if (parsed > ContentVocabulary.MaxValue) return Bad(column, $"{value} is larger than the ledger holds ({(money ? "10,000,000,000 yuan" : "10^12")})");
                numbers[n] = parsed;
            }
            patches.Add(new ContentPatch(row, id, title, kind, platform, published, owner, creator, stage, numbers[0], numbers[1], numbers[2], numbers[3],
                numbers[4], numbers[5], numbers[6], numbers[7]));
        }
        return patches;
    }

    /// <summary>
    /// The item a patch makes: a new one needs title, kind, platform, published_at, owner and stage; a stored one keeps what the patch leaves
    /// empty. <paramref name="creatorKnown"/> says whether a given creator_id is in the creators table.
    /// </summary>
    public static Result<ContentItem> Apply(ContentPatch patch, ContentItem? stored, Func<string, bool> creatorKnown, long now)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(creatorKnown);
        var place = $"row {patch.Row}";
        if (patch.CreatorId is { } creator && !creatorKnown(creator))
            return Error.Invalid($"{place}.creator_id", $"no creator '{creator}': add the creator first (flywheel creators), or leave creator_id empty");
        if (stored is null)
        {
            foreach (var (column, value) in new (string, object?)[]
                     { ("title", patch.Title), ("kind", patch.Kind), ("platform", patch.Platform), ("published_at", patch.PublishedAt), ("owner", patch.Owner), ("stage", patch.Stage) })
                if (value is null) return Error.Invalid($"{place}.{column}", $"'{patch.ContentId}' is a new item: {column} is required");
            return new ContentItem(patch.ContentId, patch.Title!, patch.Kind!, patch.Platform!, patch.PublishedAt!.Value, patch.Owner!, patch.CreatorId, patch.Stage!,
                patch.Cost ?? 0, patch.Views ?? 0, patch.Likes ?? 0, patch.Comments ?? 0, patch.Saves ?? 0, patch.Shares ?? 0, patch.LiveWatchers ?? 0,
                patch.PlatformGmv ?? 0, now);
        }
        return new ContentItem(stored.ContentId, patch.Title ?? stored.Title, patch.Kind ?? stored.Kind, patch.Platform ?? stored.Platform,
            patch.PublishedAt ?? stored.PublishedAt, patch.Owner ?? stored.Owner, patch.CreatorId ?? stored.CreatorId, patch.Stage ?? stored.Stage,
            patch.Cost ?? stored.Cost, patch.Views ?? stored.Views, patch.Likes ?? stored.Likes, patch.Comments ?? stored.Comments, patch.Saves ?? stored.Saves,
            patch.Shares ?? stored.Shares, patch.LiveWatchers ?? stored.LiveWatchers, patch.PlatformGmv ?? stored.PlatformGmv, now);
    }

    private static readonly string[] LocalFormats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"];

    private static readonly string[] OffsetFormats =
        ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFF'Z'"];

    /// <summary>A publish time: local to <paramref name="zone"/> unless it carries an offset; years 2000-2087 (the event index's range).</summary>
    public static bool TryTime(string text, DateTimeZone zone, out long unixMs)
    {
        ArgumentNullException.ThrowIfNull(zone);
        unixMs = 0;
        DateTimeOffset instant;
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            instant = LocalDateTime.FromDateTime(local).InZoneLeniently(zone).ToDateTimeOffset();
        else if (!DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant))
            return false;
        if (instant.Year is < 2000 or > 2087) return false;
        unixMs = instant.ToUnixTimeMilliseconds();
        return true;
    }

    private sealed record Record(long Line, List<string> Fields);

    /// <summary>RFC 4180 records with the physical line each starts on; blank lines are skipped, a UTF-8 BOM is ignored.</summary>
    private static Result<List<Record>> Split(string text)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        long line = 1, start = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var quoted = false;
        var any = false;
        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
        }
        void EndRecord()
        {
            EndField();
            if (fields.Count > 1 || fields[0].Length > 0 || any) records.Add(new Record(start, [.. fields]));
            fields.Clear();
            any = false;
        }
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case '"':
                    return Error.Invalid($"line {line}", "a quote inside an unquoted field: quote the whole field and double the quote (\"\")");
                case ',':
                    EndField();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    start = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (quoted) return Error.Invalid($"line {start}", "a quoted field is not closed before the end of the file");
        if (field.Length > 0 || fields.Count > 0 || any) EndRecord();
        return records;
    }
}
