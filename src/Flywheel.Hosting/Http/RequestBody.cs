using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using System.Text.Json;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Http;

namespace Flywheel.Hosting.Http;

/// <summary>
/// A parsed JSON request body. The document reads straight from a pooled buffer (no copy, no per-item
/// reserialisation), so it must be disposed: that returns the buffer.
/// </summary>
public sealed class JsonBody : IDisposable
{
    private byte[]? _buffer;

    public JsonBody(JsonDocument document, byte[] buffer, int length)
    {
        Document = document;
        _buffer = buffer;
        Length = length;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public int Length { get; }

    public void Dispose()
    {
        Document.Dispose();
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}

/// <summary>Reads a JSON request body under a size limit; every failure is an <see cref="Error"/> of its own kind.</summary>
public static class RequestBody
{
    // Duplicate keys are refused: {"id":"a","id":"b"} has no one meaning, and System.Text.Json's node API throws on it later.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>
    /// Reads the whole body, refusing it as soon as it is known to exceed <paramref name="maxBytes"/>: up front from
    /// Content-Length, and while reading for chunked bodies (whose length is only known at the end).
    /// </summary>
    public static async Task<Result<JsonBody>> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            var given = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'";
            return Error.UnsupportedFormat($"the body must be JSON sent with Content-Type: application/json (got {given})");
        }
        var read = await ReadBytesAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var bytes, out var error)) return error;
        var (buffer, used) = bytes;
        try
        {
            var document = JsonDocument.Parse(buffer.AsMemory(0, used), DocumentOptions);
            // An escaped lone surrogate ("\ud800") is valid JSON syntax but no character: refuse it here, where the path is known.
            if (HasSurrogateEscape(buffer.AsSpan(0, used)) && LoneSurrogate(document.RootElement, "$") is { } path)
            {
                document.Dispose();
                ArrayPool<byte>.Shared.Return(buffer);
                return Error.Malformed(path, $"the body is not valid JSON (path {path}): a string holds an escaped lone surrogate (\\uD800-\\uDFFF without its pair)");
            }
            return new JsonBody(document, buffer, used);
        }
        catch (JsonException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            // Line and byte position are 0-based in JsonException; people count from 1.
            var where = e.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {e.BytePositionInLine + 1}")
                : "";
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            return Error.Malformed(path, $"the body is not valid JSON{where} (path {path}): {FirstSentence(e.Message)}");
        }
    }

    /// <summary>
    /// Reads the whole body as UTF-8 text under the same size limit, whatever its media type (a YAML journey): a body over the limit
    /// is <see cref="ErrorKind.TooLarge"/>, one that is not UTF-8 is <see cref="ErrorKind.Malformed"/> naming the byte.
    /// </summary>
    public static async Task<Result<string>> ReadTextAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var read = await ReadBytesAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var bytes, out var error)) return error;
        var (buffer, used) = bytes;
        try
        {
            return System.Text.Encoding.UTF8.GetString(buffer, 0, used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body's bytes in a pooled buffer the caller returns, checked to be within the limit and valid UTF-8.</summary>
    private static async Task<Result<(byte[] Buffer, int Used)>> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
            return TooLarge(request.ContentLength.Value, maxBytes);

        // One byte more than expected, so a body of exactly Content-Length bytes ends without growing the buffer.
        var initial = request.ContentLength is { } length ? (int)length + 1 : 64 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var used = 0;
        try
        {
            while (true)
            {
                if (used == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, used).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(used), ct);
                if (read == 0) break;
                used += read;
                if (used > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return TooLarge(null, maxBytes);
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(null, maxBytes)
                : Error.Invalid("$", $"the request body could not be read: {e.Message}");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        // JSON is UTF-8; System.Text.Json checks the structure but not every byte inside a string, so a body that is not UTF-8
        // would otherwise be stored and fail wherever it is decoded.
        if (Utf8.IsValid(buffer.AsSpan(0, used)) is false)
        {
            var at = InvalidUtf8At(buffer.AsSpan(0, used));
            ArrayPool<byte>.Shared.Return(buffer);
            return Error.Malformed("$", string.Create(CultureInfo.InvariantCulture, $"the body is not valid UTF-8 (byte {at + 1}): send it encoded as UTF-8"));
        }
        return (buffer, used);
    }

    /// <summary>
    /// Whether the text holds an escaped surrogate (\uD800-\uDFFF): only then can a string fail to decode. Bodies from clients that
    /// escape all non-ASCII (Python's json.dumps) are full of \u escapes, but of BMP characters; this keeps them off the slow walk.
    /// </summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            var at = bytes.IndexOf("\\u"u8);
            if (at < 0 || at + 3 >= bytes.Length) return false;
            var (first, second) = (bytes[at + 2] | 0x20, bytes[at + 3] | 0x20); // ASCII lower case
            if (first == 'd' && (second is >= '8' and <= '9' || second is >= 'a' and <= 'f')) return true;
            bytes = bytes[(at + 2)..];
        }
    }

    private static int InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        var valid = 0;
        while (valid < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[valid..], out _, out var consumed);
            if (status != OperationStatus.Done) return valid;
            valid += consumed;
        }
        return valid;
    }

    /// <summary>The JSON path of the first string (value or property name) that does not decode, or null.</summary>
    private static string? LoneSurrogate(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element) ? null : path;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (LoneSurrogate(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")) is { } inArray) return inArray;
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path;
                    }
                    if (LoneSurrogate(property.Value, path + "." + name) is { } inObject) return inObject;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Error TooLarge(long? length, long maxBytes)
    {
        var size = length is { } n ? string.Create(CultureInfo.InvariantCulture, $"{n} bytes") : "more than that";
        return Error.TooLarge(string.Create(CultureInfo.InvariantCulture,
            $"the request body is {size}; at most {maxBytes} bytes ({maxBytes / (1024.0 * 1024):0.#} MiB) are accepted: send smaller batches"));
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "LineNumber: 0 | BytePositionInLine: 3." which we already give 1-based.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
