using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Flywheel.Ingestion.Csv;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;

namespace Flywheel.Ingestion.Import;

/// <summary>A file read one record at a time, whatever its format.</summary>
internal interface IRecordStream : IDisposable
{
    /// <summary>Advances to the next record; false at the end.</summary>
    bool Next();

    IRecordFields Fields { get; }

    /// <summary>The physical line the record starts on.</summary>
    long Line { get; }

    /// <summary>Why the current record cannot be read at all (bad bytes, a broken quote, bad JSON), or null.</summary>
    Error? RecordError { get; }

    long BytesRead { get; }

    IReadOnlyList<string> Warnings { get; }

    void WriteRejectHeader(TextWriter writer);

    /// <summary>Where a column of an earlier record is (records are read ahead of writing).</summary>
    string WhereAt(string column, long line);

    void WriteReject(TextWriter writer, string reason);

    /// <summary>Keeps the current record's raw content, to be written to the rejects file later with a reason.</summary>
    Action<TextWriter, string> CaptureReject();
}

internal sealed class CsvRecordStream : IRecordStream, IRecordFields
{
    private readonly CsvReader _reader;
    private readonly string _file;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly string[] _header;
    private string?[] _values = [];
    private bool[] _decoded = [];

    private CsvRecordStream(CsvReader reader, string file, string[] header)
    {
        _reader = reader;
        _file = file;
        _header = header;
        for (var i = 0; i < header.Length; i++) _columns[header[i]] = i;
    }

    public List<string> WarningList { get; } = [];

    public IReadOnlyList<string> Warnings => WarningList;

    /// <summary>
    /// Reads and checks the header: every required column present (or filled by the mapping), no column twice, all UTF-8.
    /// </summary>
    public static Result<CsvRecordStream> Open(Stream stream, string file, ImportKind kind, ImportMapping? mapping = null)
    {
        var reader = new CsvReader(stream, delimiter: mapping?.Delimiter ?? (byte)',');
        if (!reader.Read())
        {
            reader.Dispose();
            return Error.Invalid(file, "the file is empty: expected a header row naming the columns");
        }
        if (reader.RecordError is { } broken)
        {
            reader.Dispose();
            return Error.Invalid($"{file}:1", $"cannot read the header: {broken}");
        }
        var header = new string[reader.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            if (!reader.TryGetString(i, out var name))
            {
                reader.Dispose();
                return Error.Invalid($"{file}:1:{i + 1}", "the header is not UTF-8 text (is the file GBK-encoded? save it as UTF-8)");
            }
            header[i] = (name ?? "").Trim().ToLowerInvariant();
        }
        var (required, optional) = Columns.Contract[kind];
        var duplicate = header.Where(h => h.Length > 0).GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            reader.Dispose();
            return Error.Invalid($"{file}:1", $"column '{duplicate.Key}' appears twice in the header");
        }
        bool Fills(string column) => mapping?.Fills(column, header) ?? header.Contains(column);
        var missing = required.Where(r => !Fills(r) && !(r == "unit_price" && Fills("line_total"))).ToArray();
        if (missing.Length > 0)
        {
            reader.Dispose();
            var how = mapping is null ? "" : $" (the mapping {mapping.Source} maps none of them to a column the file has, and gives no default)";
            return Error.Invalid($"{file}:1", $"missing required column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))} " +
                $"for {kind.ToString().ToLowerInvariant()}{how} (found: {string.Join(", ", header)}; required: {string.Join(", ", required)})");
        }
        if (kind == ImportKind.Events && !Fills("customer_id") && !Fills("anonymous_id"))
        {
            reader.Dispose();
            return Error.Invalid($"{file}:1", "events need a 'customer_id' or an 'anonymous_id' column");
        }
        var stream2 = new CsvRecordStream(reader, file, header);
        if (mapping is null)
        {
            foreach (var unknown in header.Where(h => !required.Contains(h) && !optional.Contains(h)))
                stream2.WarningList.Add($"{file}:1: ignoring column '{unknown}' (not part of the {kind.ToString().ToLowerInvariant()} contract)");
            return stream2;
        }
        var used = mapping.Columns.Values.SelectMany(v => ImportMapping.TemplateColumns(v) is { Count: > 0 } names ? names : [v.Trim().ToLowerInvariant()])
            .Concat(required).Concat(optional).ToHashSet(StringComparer.Ordinal);
        var ignored = header.Where(h => h.Length > 0 && !used.Contains(h)).ToArray();
        if (ignored.Length > 0)
            stream2.WarningList.Add($"{file}:1: the mapping {mapping.Source} reads no column named {string.Join(", ", ignored.Select(i => $"'{i}'"))}; they are ignored");
        return stream2;
    }

    public IRecordFields Fields => this;
    public long Line => _reader.RecordLine;
    public long BytesRead => _reader.BytesRead;
    public Error? RecordError { get; private set; }

    public bool Next()
    {
        if (!_reader.Read()) return false;
        if (_values.Length < _reader.FieldCount)
        {
            _values = new string?[_reader.FieldCount];
            _decoded = new bool[_reader.FieldCount];
        }
        Array.Clear(_decoded);
        RecordError = null;
        if (_reader.RecordError is { } broken)
        {
            RecordError = Error.Invalid(Place(_reader.RecordErrorField), broken);
        }
        else if (_reader.FieldCount != _header.Length)
        {
            RecordError = Error.Invalid($"{_file}:{Line}", $"expected {_header.Length} fields as in the header, found {_reader.FieldCount}");
        }
        else
        {
            for (var i = 0; i < _reader.FieldCount; i++)
            {
                if (!Utf8.IsValid(_reader.FieldBytes(i)))
                {
                    RecordError = Error.Invalid(Place(i + 1), "bytes that are not UTF-8 (is the file GBK-encoded? save it as UTF-8)");
                    break;
                }
            }
        }
        return true;
    }

    public bool Has(string column) => _columns.ContainsKey(column);

    public string? Get(string column)
    {
        if (!_columns.TryGetValue(column, out var i) || i >= _reader.FieldCount) return null;
        if (!_decoded[i])
        {
            var bytes = _reader.FieldBytes(i);
            _values[i] = bytes.IsEmpty ? null : Encoding.UTF8.GetString(bytes);
            _decoded[i] = true;
        }
        return _values[i];
    }

    public string Where(string column) => WhereAt(column, Line);

    public string WhereAt(string column, long line) =>
        _columns.TryGetValue(column, out var i) ? $"{_file}:{line}:{i + 1} ({column})" : $"{_file}:{line} ({column})";

    private string Place(int field) => field > 0 && field <= _header.Length
        ? $"{_file}:{Line}:{field} ({_header[field - 1]})"
        : $"{_file}:{Line}";

    public void WriteRejectHeader(TextWriter writer)
    {
        writer.Write(string.Join(',', _header.Select(Quote)));
        writer.WriteLine(",_line,_error");
    }

    public void WriteReject(TextWriter writer, string reason)
    {
        for (var i = 0; i < _reader.FieldCount; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(Quote(Encoding.UTF8.GetString(_reader.FieldBytes(i))));
        }
        writer.Write(',');
        writer.Write(Line);
        writer.Write(',');
        writer.WriteLine(Quote(reason));
    }

    public Action<TextWriter, string> CaptureReject()
    {
        var fields = new string[_reader.FieldCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = Encoding.UTF8.GetString(_reader.FieldBytes(i));
        var line = Line;
        return (writer, reason) =>
        {
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write(',');
            writer.Write(line);
            writer.Write(',');
            writer.WriteLine(Quote(reason));
        };
    }

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    public void Dispose() => _reader.Dispose();
}

/// <summary>Newline-delimited JSON: one object per line; blank lines are skipped.</summary>
internal sealed class NdjsonRecordStream : IRecordStream
{
    public const int MaxLineBytes = 16 << 20;

    private readonly Stream _stream;
    private readonly string _file;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _pos, _len;
    private bool _eof;
    private long _nextLine = 1;
    private byte[] _lineBytes = new byte[4096];
    private int _lineLength;
    private JsonDocument? _document;
    private IRecordFields _fields = new JsonRecordFields(default, "$");

    public NdjsonRecordStream(Stream stream, string file)
    {
        _stream = stream;
        _file = file;
    }

    public IRecordFields Fields => _fields;
    public long Line { get; private set; }
    public Error? RecordError { get; private set; }
    public long BytesRead { get; private set; }
    public IReadOnlyList<string> Warnings => [];

    public bool Next()
    {
        _document?.Dispose();
        _document = null;
        while (true)
        {
            var tooLong = false;
            if (!ReadLine(ref tooLong)) return false;
            var bytes = _lineBytes.AsSpan(0, _lineLength).Trim(" \t\r"u8);
            if (bytes.IsEmpty && !tooLong) continue;
            RecordError = null;
            var path = $"{_file}:{Line}: $";
            _fields = new JsonRecordFields(default, path);
            if (tooLong)
            {
                RecordError = Error.Invalid($"{_file}:{Line}", $"a line longer than {MaxLineBytes >> 20} MiB");
                return true;
            }
            if (!Utf8.IsValid(bytes))
            {
                RecordError = Error.Invalid($"{_file}:{Line}", "bytes that are not UTF-8 (save the file as UTF-8)");
                return true;
            }
            try
            {
                _document = JsonDocument.Parse(_lineBytes.AsMemory(0, _lineLength), new JsonDocumentOptions { MaxDepth = 16 });
                var fields = new JsonRecordFields(_document.RootElement, path);
                _fields = fields;
                RecordError = fields.TypeError();
            }
            catch (JsonException e)
            {
                RecordError = Error.Invalid($"{_file}:{Line}:{(e.BytePositionInLine ?? 0) + 1}", $"not valid JSON: {e.Message}");
            }
            return true;
        }
    }

    private bool ReadLine(ref bool tooLong)
    {
        _lineLength = 0;
        Line = _nextLine;
        var any = false;
        while (true)
        {
            if (_pos >= _len)
            {
                if (_eof) return any;
                _pos = 0;
                _len = _stream.Read(_buffer, 0, _buffer.Length);
                BytesRead += _len;
                if (_len == 0)
                {
                    _eof = true;
                    return any;
                }
            }
            any = true;
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var newline = span.IndexOf((byte)'\n');
            var chunk = newline < 0 ? span : span[..newline];
            if (_lineLength + chunk.Length > MaxLineBytes) tooLong = true;
            else
            {
                if (_lineLength + chunk.Length > _lineBytes.Length)
                    Array.Resize(ref _lineBytes, Math.Max(_lineBytes.Length * 2, _lineLength + chunk.Length));
                chunk.CopyTo(_lineBytes.AsSpan(_lineLength));
                _lineLength += chunk.Length;
            }
            if (newline >= 0)
            {
                _pos += newline + 1;
                _nextLine++;
                return true;
            }
            _pos = _len;
        }
    }

    public void WriteRejectHeader(TextWriter writer)
    {
    }

    public string WhereAt(string column, long line) => $"{_file}:{line}: $.{column}";

    public void WriteReject(TextWriter writer, string reason) => CaptureReject()(writer, reason);

    public Action<TextWriter, string> CaptureReject()
    {
        var raw = Encoding.UTF8.GetString(_lineBytes, 0, _lineLength);
        var record = _document?.RootElement.Clone();
        var line = Line;
        return (writer, reason) => WriteRejectLine(writer, reason, line, raw, record);
    }

    private static void WriteRejectLine(TextWriter writer, string reason, long line, string raw, JsonElement? record)
    {
        using var json = new Utf8JsonWriter(new TextWriterStream(writer));
        json.WriteStartObject();
        json.WriteNumber("_line", line);
        json.WriteString("_error", reason);
        if (record is { } element)
        {
            json.WritePropertyName("record");
            element.WriteTo(json);
        }
        else
        {
            json.WriteString("raw", raw);
        }
        json.WriteEndObject();
        json.Flush();
        writer.WriteLine();
    }

    public void Dispose()
    {
        _document?.Dispose();
        _stream.Dispose();
    }

    /// <summary>Lets Utf8JsonWriter write into a TextWriter.</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => writer.Write(Encoding.UTF8.GetString(buffer, offset, count));
    }
}
