using System.Text.Json;
using Flywheel.Primitives;
using MiniExcelLibs;

namespace Flywheel.Web.Features.Exports;

/// <summary>
/// A table the console shows, as it sends it for an Excel download: a file name, column labels and rows of cells (text, number
/// or null). Parsed from JSON with every problem named by its path; written as one .xlsx sheet by MiniExcel.
/// </summary>
public sealed record TableExport(string Name, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>The most columns and cells one export holds: a console table is far smaller; this bounds the server's work.</summary>
    public const int MaxColumns = 200;

    public const int MaxCells = 1_000_000;

    /// <summary>Excel's own limit on the characters in one cell.</summary>
    public const int MaxCellText = 32_767;

    public static Result<TableExport> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Error.Invalid("$", "the body is an object: {\"name\": \"channels\", \"columns\": [\"渠道\", ...], \"rows\": [[\"抖音\", 12.5], ...]}");
        if (!root.TryGetProperty("name", out var nameJson) || nameJson.ValueKind != JsonValueKind.String)
            return Error.Invalid("$.name", "name is the file's name as a string, e.g. \"channels\"");
        var name = nameJson.GetString()!;
        if (name.Length is 0 or > 100 || name.Any(c => char.IsControl(c) || c is '/' or '\\' or '"' or ':' or '*' or '?' or '<' or '>' or '|'))
            return Error.Invalid("$.name", "name is 1 to 100 characters with no control characters and none of / \\ \" : * ? < > |");

        if (!root.TryGetProperty("columns", out var columnsJson) || columnsJson.ValueKind != JsonValueKind.Array)
            return Error.Invalid("$.columns", "columns is an array of column labels");
        var count = columnsJson.GetArrayLength();
        if (count is 0 or > MaxColumns) return Error.Invalid("$.columns", $"columns holds 1 to {MaxColumns} labels (got {count})");
        var columns = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var column in columnsJson.EnumerateArray())
        {
            var path = $"$.columns[{i++}]";
            if (column.ValueKind != JsonValueKind.String || column.GetString() is not { Length: > 0 and <= 200 } label)
                return Error.Invalid(path, "a column label is a string of 1 to 200 characters");
            if (!seen.Add(label)) return Error.Invalid(path, $"the column label '{label}' appears twice; each column needs its own");
            columns.Add(label);
        }

        if (!root.TryGetProperty("rows", out var rowsJson) || rowsJson.ValueKind != JsonValueKind.Array)
            return Error.Invalid("$.rows", "rows is an array of rows, each an array with one cell per column");
        if ((long)rowsJson.GetArrayLength() * count > MaxCells)
            return Error.TooLarge($"the table holds more than {MaxCells:N0} cells ({rowsJson.GetArrayLength():N0} rows × {count} columns); export it from the API in parts");
        var rows = new List<object?[]>(rowsJson.GetArrayLength());
        var r = 0;
        foreach (var row in rowsJson.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != count)
                return Error.Invalid($"$.rows[{r}]", $"each row is an array of {count} cells, one per column");
            var cells = new object?[count];
            var c = 0;
            foreach (var cell in row.EnumerateArray())
            {
                var path = $"$.rows[{r}][{c}]";
                switch (cell.ValueKind)
                {
                    case JsonValueKind.Null:
                        cells[c] = null;
                        break;
                    case JsonValueKind.String:
                        var text = cell.GetString()!;
                        if (text.Length > MaxCellText) return Error.Invalid(path, $"a cell holds at most {MaxCellText:N0} characters (Excel's limit)");
                        cells[c] = text;
                        break;
                    case JsonValueKind.Number:
                        // Whole numbers stay exact (counts, fen); others are decimals as the API gave them (yuan with two places, rates).
                        if (cell.TryGetInt64(out var whole)) cells[c] = whole;
                        else if (cell.TryGetDecimal(out var exact)) cells[c] = exact;
                        else return Error.Invalid(path, "the number is out of range (at most 28 significant digits)");
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        cells[c] = cell.GetBoolean();
                        break;
                    default:
                        return Error.Invalid(path, "a cell is text, a number, true/false or null");
                }
                c++;
            }
            rows.Add(cells);
            r++;
        }
        return new TableExport(name, columns, rows);
    }

    /// <summary>The table as an .xlsx workbook of one sheet, the labels as its header row.</summary>
    public void WriteXlsx(Stream output)
    {
        var sheet = Rows.Select(row =>
        {
            IDictionary<string, object?> line = new Dictionary<string, object?>(Columns.Count, StringComparer.Ordinal);
            for (var i = 0; i < Columns.Count; i++) line[Columns[i]] = row[i];
            return line;
        });
        MiniExcel.SaveAs(output, sheet, printHeader: true, sheetName: SheetName(Name), excelType: ExcelType.XLSX);
    }

    /// <summary>Excel sheet names are at most 31 characters and exclude []:*?/\.</summary>
    private static string SheetName(string name)
    {
        var cleaned = new string([.. name.Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\'))]);
        cleaned = cleaned.Trim('\'');
        return cleaned.Length == 0 ? "Sheet1" : cleaned.Length > 31 ? cleaned[..31] : cleaned;
    }
}
