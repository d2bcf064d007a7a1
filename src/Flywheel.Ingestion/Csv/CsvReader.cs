using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Flywheel.Ingestion.Csv;

/// <summary>
/// A streaming RFC 4180 reader over UTF-8 bytes. It keeps one record in memory, so a file of any size reads in
/// constant memory; a field longer than <see cref="MaxFieldBytes"/> marks its record bad instead of growing the
/// buffer. Quoted fields may hold commas, quotes ("") and line breaks. Line numbers are physical lines, so an
/// error names the line an editor shows. The delimiter is a comma unless given (a tab, ';', '|'); <see cref="Whitespace"/> splits on
/// runs of spaces and tabs and ignores them at both ends of a line, for fixed-width exports such as CDNOW's.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private const int BufferSize = 1 << 16;
    /// <summary>The delimiter value that means "runs of spaces and tabs".</summary>
    public const byte Whitespace = (byte)' ';

    private readonly SearchValues<byte> _specials;
    private readonly byte _delimiter;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _pos, _len;
    private bool _eof;
    private long _line = 1;
    private byte[] _record = new byte[4096];
    private int _recordLength;
    private readonly List<(int Start, int Length)> _fields = [];
    private bool _started;

    public CsvReader(Stream stream, int maxFieldBytes = 1 << 20, byte delimiter = (byte)',')
    {
        _stream = stream;
        MaxFieldBytes = maxFieldBytes;
        _delimiter = delimiter;
        _specials = delimiter == Whitespace ? SearchValues.Create(" \t\"\r\n"u8) : SearchValues.Create([delimiter, (byte)'"', (byte)'\r', (byte)'\n']);
    }

    public int MaxFieldBytes { get; }

    /// <summary>The physical line on which the current record starts (1-based).</summary>
    public long RecordLine { get; private set; }

    public int FieldCount => _fields.Count;

    /// <summary>Why the current record cannot be read, or null. The record is still consumed whole.</summary>
    public string? RecordError { get; private set; }

    /// <summary>The 1-based field the error is in (0 when it is not tied to one field).</summary>
    public int RecordErrorField { get; private set; }

    public long BytesRead { get; private set; }

    public ReadOnlySpan<byte> FieldBytes(int index)
    {
        var (start, length) = _fields[index];
        return _record.AsSpan(start, length);
    }

    /// <summary>The field as text, or null when it is empty. Fails on bytes that are not UTF-8.</summary>
    public bool TryGetString(int index, out string? value)
    {
        var bytes = FieldBytes(index);
        if (bytes.IsEmpty)
        {
            value = null;
            return true;
        }
        if (!Utf8.IsValid(bytes))
        {
            value = null;
            return false;
        }
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>Reads the next record; false at the end of the file. Blank lines are skipped.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!_started)
            {
                _started = true;
                Fill();
                if (_len - _pos >= 3 && _buffer[_pos] == 0xEF && _buffer[_pos + 1] == 0xBB && _buffer[_pos + 2] == 0xBF)
                    _pos += 3;
            }
            if (!Available()) return false;
            _fields.Clear();
            _recordLength = 0;
            RecordError = null;
            RecordErrorField = 0;
            RecordLine = _line;
            ReadRecord();
            if (_fields.Count == 1 && _fields[0].Length == 0 && RecordError is null && !_lastFieldQuoted)
                continue; // a blank line
            return true;
        }
    }

    private bool _lastFieldQuoted;

    private void ReadRecord()
    {
        while (true)
        {
            var start = _recordLength;
            _lastFieldQuoted = Available() && _buffer[_pos] == (byte)'"';
            var terminator = _lastFieldQuoted ? ReadQuoted() : ReadUnquoted();
            // Between whitespace-separated fields any run of blanks is one separator, and blanks at either end separate nothing.
            if (_delimiter != Whitespace || _lastFieldQuoted || _recordLength > start) _fields.Add((start, _recordLength - start));
            if (terminator == _delimiter || (_delimiter == Whitespace && terminator == (byte)'\t')) continue;
            if (_delimiter == Whitespace && _fields.Count == 0 && terminator is (byte)'\r' or (byte)'\n' or 0) _fields.Add((start, 0));
            switch (terminator)
            {
                case (byte)'\r':
                    if (Available() && _buffer[_pos] == (byte)'\n') _pos++;
                    _line++;
                    return;
                case (byte)'\n':
                    _line++;
                    return;
                default:
                    return; // end of file
            }
        }
    }

    /// <summary>Reads an unquoted field; returns the byte that ended it (0 at end of file), consumed.</summary>
    private byte ReadUnquoted()
    {
        while (Available())
        {
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var hit = span.IndexOfAny(_specials);
            if (hit < 0)
            {
                Append(span);
                _pos = _len;
                continue;
            }
            Append(span[..hit]);
            var b = span[hit];
            _pos += hit + 1;
            if (b == (byte)'"')
            {
                Fail("a quote inside an unquoted field (quote the whole field and double the inner quotes)");
                continue;
            }
            return b;
        }
        return 0;
    }

    private byte ReadQuoted()
    {
        var openedAt = _line;
        _pos++; // the opening quote
        while (true)
        {
            if (!Available())
            {
                Fail($"a quoted field opened on line {openedAt} is never closed");
                return 0;
            }
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var hit = span.IndexOf((byte)'"');
            var chunk = hit < 0 ? span : span[..hit];
            _line += chunk.Count((byte)'\n');
            Append(chunk);
            if (hit < 0)
            {
                _pos = _len;
                continue;
            }
            _pos += hit + 1;
            if (Available() && _buffer[_pos] == (byte)'"')
            {
                Append("\""u8);
                _pos++;
                continue;
            }
            break;
        }
        if (!Available()) return 0;
        var next = _buffer[_pos++];
        if (next == _delimiter || next is (byte)'\r' or (byte)'\n' || (_delimiter == Whitespace && next == (byte)'\t')) return next;
        Fail("text after the closing quote of a quoted field");
        _pos--;
        return ReadUnquoted();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var fieldStart = _fields.Count == 0 ? 0 : _fields[^1].Start + _fields[^1].Length;
        if (_recordLength - fieldStart + bytes.Length > MaxFieldBytes)
        {
            Fail($"a field longer than {MaxFieldBytes / 1024} KiB");
            return;
        }
        if (_recordLength + bytes.Length > _record.Length)
            Array.Resize(ref _record, Math.Max(_record.Length * 2, _recordLength + bytes.Length));
        bytes.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += bytes.Length;
    }

    private void Fail(string message)
    {
        if (RecordError is not null) return;
        RecordError = message;
        RecordErrorField = _fields.Count + 1;
    }

    private bool Available()
    {
        if (_pos < _len) return true;
        if (_eof) return false;
        Fill();
        return _pos < _len;
    }

    private void Fill()
    {
        _pos = 0;
        _len = 0;
        while (_len < _buffer.Length)
        {
            var n = _stream.Read(_buffer, _len, _buffer.Length - _len);
            if (n == 0)
            {
                _eof = true;
                break;
            }
            _len += n;
            BytesRead += n;
            if (_len > 0) break;
        }
    }

    public void Dispose() => _stream.Dispose();
}
