namespace Flywheel.Customers.Segments;

/// <summary>
/// The values of one field for the customers of one evaluation, position by position (position <c>i</c> is
/// <see cref="FieldContext.CustomerId"/>(i)). Built by a field's compute function; the evaluator turns conditions on
/// it into bit sets. Each kind has its own "missing" marker, and every comparison with a missing value is false.
/// </summary>
internal abstract class SegmentColumn
{
    private protected SegmentColumn(int count) => Count = count;

    public int Count { get; }

    public abstract SegmentType Type { get; }

    /// <summary>A number column from one value per position (null: missing).</summary>
    public static NumberColumn Numbers(FieldContext context, Func<int, double?> valueAt)
    {
        var values = new double[context.Count];
        for (var i = 0; i < values.Length; i++) values[i] = valueAt(i) ?? double.NaN;
        return new NumberColumn(values);
    }

    /// <summary>A money column from amounts in fen (null: missing).</summary>
    public static MoneyColumn Money(FieldContext context, Func<int, long?> fenAt)
    {
        var values = new long[context.Count];
        for (var i = 0; i < values.Length; i++) values[i] = fenAt(i) ?? MoneyColumn.Missing;
        return new MoneyColumn(values);
    }

    /// <summary>A date column (null: missing).</summary>
    public static DateColumn Dates(FieldContext context, Func<int, DateOnly?> dateAt)
    {
        var values = new int[context.Count];
        for (var i = 0; i < values.Length; i++) values[i] = dateAt(i)?.DayNumber ?? DateColumn.Missing;
        return new DateColumn(values);
    }

    /// <summary>A bool column (null: missing).</summary>
    public static BoolColumn Bools(FieldContext context, Func<int, bool?> valueAt)
    {
        var values = new byte[context.Count];
        for (var i = 0; i < values.Length; i++) values[i] = valueAt(i) switch { true => BoolColumn.True, false => BoolColumn.False, null => BoolColumn.Missing };
        return new BoolColumn(values);
    }

    /// <summary>A text column, dictionary-encoded as it is built (null or empty: missing).</summary>
    public static TextColumn Texts(FieldContext context, Func<int, string?> textAt)
    {
        var codes = new int[context.Count];
        var dictionary = new List<string?> { null };
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < codes.Length; i++)
        {
            var text = textAt(i);
            if (string.IsNullOrEmpty(text)) continue;
            if (!lookup.TryGetValue(text, out var code))
            {
                code = dictionary.Count;
                dictionary.Add(text);
                lookup[text] = code;
            }
            codes[i] = code;
        }
        return new TextColumn(codes, dictionary);
    }

    /// <summary>A text-list column (null or empty: no items).</summary>
    public static TextListColumn TextLists(FieldContext context, Func<int, IEnumerable<string>?> itemsAt)
    {
        var start = new int[context.Count + 1];
        var codes = new List<int>();
        var dictionary = new List<string?> { null };
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < context.Count; i++)
        {
            foreach (var item in itemsAt(i) ?? [])
            {
                if (string.IsNullOrEmpty(item)) continue;
                if (!lookup.TryGetValue(item, out var code))
                {
                    code = dictionary.Count;
                    dictionary.Add(item);
                    lookup[item] = code;
                }
                codes.Add(code);
            }
            start[i + 1] = codes.Count;
        }
        return new TextListColumn(start, [.. codes], dictionary);
    }
}

/// <summary>Numbers as doubles; <see cref="double.NaN"/> is missing. Integers up to 2^53 are exact.</summary>
internal sealed class NumberColumn(double[] values) : SegmentColumn(values.Length)
{
    public double[] Values { get; } = values;

    public override SegmentType Type => SegmentType.Number;
}

/// <summary>Amounts in fen; <see cref="Missing"/> (long.MinValue) is missing.</summary>
internal sealed class MoneyColumn(long[] fen) : SegmentColumn(fen.Length)
{
    public const long Missing = long.MinValue;

    public long[] Fen { get; } = fen;

    public override SegmentType Type => SegmentType.Money;
}

/// <summary>Local dates as <see cref="DateOnly.DayNumber"/>; <see cref="Missing"/> (int.MinValue) is missing.</summary>
internal sealed class DateColumn(int[] days) : SegmentColumn(days.Length)
{
    public const int Missing = int.MinValue;

    public int[] Days { get; } = days;

    public override SegmentType Type => SegmentType.Date;
}

/// <summary><see cref="False"/>, <see cref="True"/> or <see cref="Missing"/> per position.</summary>
internal sealed class BoolColumn(byte[] values) : SegmentColumn(values.Length)
{
    public const byte False = 0, True = 1, Missing = 2;

    public byte[] Values { get; } = values;

    public override SegmentType Type => SegmentType.Bool;
}

/// <summary>
/// Dictionary-encoded text: <see cref="Codes"/> index <see cref="Dictionary"/>, whose entry 0 is missing (null). A
/// condition is decided once per dictionary entry, then looked up per position.
/// </summary>
internal sealed class TextColumn(int[] codes, IReadOnlyList<string?> dictionary) : SegmentColumn(codes.Length)
{
    public int[] Codes { get; } = codes;

    public IReadOnlyList<string?> Dictionary { get; } = dictionary;

    public override SegmentType Type => SegmentType.Text;
}

/// <summary>Texts per position in CSR layout: position <c>i</c> holds <c>Codes[Start[i] .. Start[i+1]]</c>.</summary>
internal sealed class TextListColumn(int[] start, int[] codes, IReadOnlyList<string?> dictionary) : SegmentColumn(start.Length - 1)
{
    public int[] Start { get; } = start;

    public int[] Codes { get; } = codes;

    public IReadOnlyList<string?> Dictionary { get; } = dictionary;

    public override SegmentType Type => SegmentType.TextList;
}
