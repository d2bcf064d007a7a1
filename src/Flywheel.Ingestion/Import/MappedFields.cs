using System.Globalization;
using System.Text;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;

namespace Flywheel.Ingestion.Import;

/// <summary>
/// A record read through an <see cref="ImportMapping"/>: each of Flywheel's columns comes from its mapped source column (or
/// template), translated by the mapping's value table, else its default. Times in the mapping's formats become ISO 8601, money in
/// fen or with a currency sign and thousands separators becomes plain yuan, money in another currency with a rate is converted, and a
/// line total becomes a unit price (and, when it does not divide evenly, a line discount of the rest). The row parsers see plain
/// contract columns, and every error still names the source column it came from.
/// </summary>
internal sealed class MappedFields(ImportMapping mapping, string storeCurrency) : IRecordFields
{
    private IRecordFields _source = null!;

    /// <summary>Points at the next source record.</summary>
    public MappedFields Over(IRecordFields source)
    {
        _source = source;
        return this;
    }

    public bool Has(string column) =>
        mapping.Defaults.ContainsKey(column) || mapping.Columns.ContainsKey(column) || _source.Has(column)
        || (column is "unit_price" && (mapping.Columns.ContainsKey("line_total") || _source.Has("line_total")))
        || (column is "currency" && mapping.Currency is not null);

    public string? Get(string column)
    {
        switch (column)
        {
            case "currency":
                // Converted rows are in the store's currency.
                var currency = FileCurrency();
                return currency is not null && mapping.Rates.ContainsKey(currency.ToUpperInvariant()) ? storeCurrency : currency;
            case "unit_price" when Raw("unit_price") is null && Raw("line_total") is not null:
                return LineSplit()?.Unit;
            case "line_discount" when Raw("unit_price") is null && Raw("line_total") is not null:
                return LineSplit()?.Discount ?? Raw("line_discount");
        }
        var value = Raw(column);
        if (value is null) return null;
        if (ImportMapping.TimeColumns.Contains(column)) return Time(value, date: false);
        if (ImportMapping.DateColumns.Contains(column)) return Time(value, date: true);
        if (ImportMapping.MoneyColumns.Contains(column)) return Money(value);
        return value;
    }

    public string Where(string column)
    {
        var from = mapping.Columns.TryGetValue(column, out var mapped) ? mapped
            : column == "unit_price" && !_source.Has("unit_price") && mapping.Columns.TryGetValue("line_total", out var total) ? total
            : null;
        if (from is null) return _source.Where(column);
        var names = ImportMapping.TemplateColumns(from);
        var source = names.Count > 0 ? names[0] : from.Trim().ToLowerInvariant();
        var place = _source.Where(source);
        return place.EndsWith($"({source})", StringComparison.Ordinal) ? place[..^(source.Length + 2)] + $"({source} → {column})" : place + $" (→ {column})";
    }

    /// <summary>The column's text as the mapping reads it (mapped, translated, defaulted), before units and formats.</summary>
    private string? Raw(string column)
    {
        string? value;
        if (mapping.Columns.TryGetValue(column, out var from))
        {
            var names = ImportMapping.TemplateColumns(from);
            value = names.Count > 0 ? Template(from) : _source.Get(from.Trim().ToLowerInvariant());
        }
        else value = _source.Get(column);
        value = value?.Trim();
        if (value is { Length: 0 }) value = null;
        if (value is not null && mapping.Values.TryGetValue(column, out var table) && table.TryGetValue(value, out var translated))
            value = translated.Length == 0 ? null : translated;
        // An empty default says the export has no such value (a marketplace that exports no buyer id: guest orders).
        return value ?? (mapping.Defaults.GetValueOrDefault(column) is { Length: > 0 } fallback ? fallback : null);
    }

    private string? Template(string template)
    {
        var text = new StringBuilder();
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }
            text.Append(template, at, open - at);
            var close = template.IndexOf('}', open);
            var value = _source.Get(template[(open + 1)..close].Trim().ToLowerInvariant());
            if (value is null) return null; // a key made of missing parts is missing
            text.Append(value.Trim());
            at = close + 1;
        }
        return text.ToString();
    }

    private string? FileCurrency() => _source.Get(mapping.Columns.GetValueOrDefault("currency", "currency")) ?? mapping.Currency;

    private string Time(string value, bool date)
    {
        if (mapping.TimeFormats.Count == 0) return value;
        foreach (var format in mapping.TimeFormats)
            if (DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                return parsed.ToString(date ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss.FFF", CultureInfo.InvariantCulture);
        return value; // the row parser reports it, naming the column
    }

    private string Money(string value)
    {
        var text = value.Trim().TrimStart('¥', '￥', '$', '£', '€').Replace(",", "", StringComparison.Ordinal).Trim();
        if (mapping.MoneyInFen)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fen) || Math.Abs(fen) > MoneyText.MaxMinor) return value;
            text = MoneyText.Format(fen);
        }
        var currency = FileCurrency()?.ToUpperInvariant();
        if (currency is not null && mapping.Rates.TryGetValue(currency, out var rate))
        {
            if (!MoneyText.TryParseMajor(text, out var minor)) return value;
            // Converted at the fen, half to even: a rate table gives no finer money than the store keeps.
            var converted = Math.Round(minor * rate, 0, MidpointRounding.ToEven);
            if (Math.Abs(converted) > MoneyText.MaxMinor) return value;
            text = MoneyText.Format((long)converted);
        }
        return text;
    }

    /// <summary>A line total split into a unit price (rounded up to the fen) and the discount that brings the line back to its total.</summary>
    private (string Unit, string Discount)? LineSplit()
    {
        var total = Raw("line_total");
        var quantityText = Raw("quantity");
        if (total is null || quantityText is null) return null;
        if (!MoneyText.TryParseMajor(Money(total), out var minor)) return (Money(total), "0");
        minor = Math.Abs(minor); // a return's negative total: the importer reads the sign from the quantity
        if (!long.TryParse(quantityText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var quantity) || quantity == 0) return (MoneyText.Format(minor), "0");
        var units = Math.Abs(quantity);
        var unit = (minor + units - 1) / units;
        return (MoneyText.Format(unit), MoneyText.Format(unit * units - minor));
    }
}
