using System.Globalization;
using Flywheel.Primitives;

namespace Flywheel.Customers.Clv;

/// <summary>Customer summaries read from a CSV file: ids in file order and their summaries; <see cref="HasSpend"/> when the file had a spend column.</summary>
internal sealed record SummaryFile(IReadOnlyList<string> Ids, IReadOnlyList<CustomerSummary> Customers, bool HasSpend);

/// <summary>
/// Reads a customer-summary CSV, the format of lifetimes' summary_data_from_transaction_data and of the CDNOW summary
/// files: a header naming <c>ID</c>, <c>frequency</c> (or <c>x</c>), <c>recency</c> (or <c>t_x</c>) and <c>T</c>, optionally
/// <c>monetary_value</c> (or <c>zbar</c>), in any order and any case; other columns are ignored. Fields may be quoted
/// (without commas inside). Every error names file:line and the column.
/// </summary>
internal static class SummaryCsv
{
    private static readonly string[][] Names =
    [
        ["id", "customer_id"],
        ["frequency", "x"],
        ["recency", "t_x"],
        ["t"],
        ["monetary_value", "zbar"],
    ];

    public static Result<SummaryFile> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.Invalid(path, $"cannot read the file: {e.Message}");
        }
        return Parse(path, lines);
    }

    /// <summary>Parses the lines of a file; <paramref name="name"/> is the file name errors mention.</summary>
    public static Result<SummaryFile> Parse(string name, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0 || lines[0].Trim().Length == 0)
            return Error.Invalid($"{name}:1", "the file has no header; expected ID,frequency,recency,T (or ID,x,t_x,T), optionally monetary_value or zbar");
        var header = Split(lines[0].TrimStart('\uFEFF'));
        var columns = new int[Names.Length];
        Array.Fill(columns, -1);
        for (var i = 0; i < header.Length; i++)
        {
            var kind = Array.FindIndex(Names, names => names.Contains(header[i], StringComparer.OrdinalIgnoreCase));
            if (kind < 0) continue;
            if (columns[kind] >= 0)
                return Error.Invalid($"{name}:1", $"columns '{header[columns[kind]]}' and '{header[i]}' both give {Names[kind][0]}; keep one");
            columns[kind] = i;
        }
        string[] required = ["ID", "frequency (or x)", "recency (or t_x)", "T"];
        for (var k = 0; k < required.Length; k++)
            if (columns[k] < 0)
                return Error.Invalid($"{name}:1", $"missing column {required[k]}; the header is '{lines[0].Trim()}', expected ID,frequency,recency,T (or ID,x,t_x,T)");

        var ids = new List<string>();
        var customers = new List<CustomerSummary>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var hasSpend = columns[4] >= 0;
        for (var n = 1; n < lines.Count; n++)
        {
            if (lines[n].Trim().Length == 0) continue;
            var line = n + 1;
            var fields = Split(lines[n]);
            if (fields.Length != header.Length)
                return Error.Invalid($"{name}:{line}", $"{fields.Length} fields, but the header has {header.Length}");
            var id = fields[columns[0]];
            if (id.Length == 0) return Bad(line, header[columns[0]], "the id is empty");
            if (seen.TryGetValue(id, out var first)) return Bad(line, header[columns[0]], $"duplicate ID '{id}' (first on line {first})");
            seen[id] = line;

            if (Number(fields[columns[1]]) is not { } xValue) return NotNumber(line, columns[1], fields);
            if (xValue < 0 || xValue != Math.Floor(xValue) || xValue > int.MaxValue)
                return Bad(line, header[columns[1]], $"{fields[columns[1]]} is not a whole number of repeat purchases ≥ 0");
            if (Number(fields[columns[2]]) is not { } tx) return NotNumber(line, columns[2], fields);
            if (tx < 0) return Bad(line, header[columns[2]], $"{fields[columns[2]]} is negative");
            if (Number(fields[columns[3]]) is not { } T) return NotNumber(line, columns[3], fields);
            if (T < 0) return Bad(line, header[columns[3]], $"{fields[columns[3]]} is negative");
            if (tx > T) return Bad(line, header[columns[2]], $"{fields[columns[2]]} is after T {fields[columns[3]]}: the last purchase cannot come after the end of the period");
            var x = (int)xValue;
            if (x == 0 && tx != 0)
                return Bad(line, header[columns[2]], $"{fields[columns[2]]} with no repeat purchases: t_x is the time from the first purchase to the last, so 0 when x = 0 (is it measured back from the end instead?)");
            var spend = 0.0;
            if (hasSpend)
            {
                if (Number(fields[columns[4]]) is not { } m) return NotNumber(line, columns[4], fields);
                if (m < 0) return Bad(line, header[columns[4]], $"{fields[columns[4]]} is negative");
                spend = x > 0 ? m : 0;
            }
            ids.Add(id);
            customers.Add(new CustomerSummary(x, tx, T, spend));
        }
        return new SummaryFile(ids, customers, hasSpend);

        Error Bad(int line, string column, string message) => Error.Invalid($"{name}:{line}", $"column {column}: {message}");
        Error NotNumber(int line, int column, string[] fields) => Bad(line, header[column], $"'{fields[column]}' is not a number");
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    private static string[] Split(string line)
    {
        var fields = line.Split(',');
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i].Trim();
            if (f.Length >= 2 && f[0] == '"' && f[^1] == '"') f = f[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
            fields[i] = f;
        }
        return fields;
    }
}
