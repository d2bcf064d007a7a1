namespace Flywheel.Analytics.Contracts;

/// <summary>
/// Dictionary encoding of one string column: each distinct value gets a small integer code, in order of first
/// appearance. Code 0 is reserved for "no value" (NULL), so a column of codes needs no separate null mask.
/// Not thread-safe while building; read-only afterwards.
/// </summary>
public sealed class StringTable
{
    public const int None = 0;

    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private readonly List<string> _values = [""];
    private char[] _chars = new char[256];

    public StringTable() => _lookup = _codes.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>
    /// Encodes a value given as UTF-8 bytes (straight from the store's row buffer); allocates only for a value not
    /// seen before. An index build calls this tens of millions of times.
    /// </summary>
    public int Encode(ReadOnlySpan<byte> utf8)
    {
        if (_chars.Length < utf8.Length) _chars = new char[Math.Max(utf8.Length, _chars.Length * 2)];
        var length = System.Text.Encoding.UTF8.GetChars(utf8, _chars);
        var text = _chars.AsSpan(0, length);
        if (_lookup.TryGetValue(text, out var code)) return code;
        return Encode(new string(text));
    }

    public int Count => _values.Count;

    public int Encode(string? value)
    {
        if (value is null) return None;
        if (_codes.TryGetValue(value, out var code)) return code;
        code = _values.Count;
        _values.Add(value);
        _codes[value] = code;
        return code;
    }

    /// <summary>The code of a value, or -1 when the column never holds it (a filter that matches nothing).</summary>
    public int Find(string value) => _codes.TryGetValue(value, out var code) ? code : -1;

    public string? Decode(int code) => code == None ? null : _values[code];

    /// <summary>A copy with the same codes, which an append can extend while queries keep reading this one.</summary>
    public StringTable Clone()
    {
        var copy = new StringTable();
        for (var code = 1; code < _values.Count; code++) copy.Encode(_values[code]);
        return copy;
    }
}
