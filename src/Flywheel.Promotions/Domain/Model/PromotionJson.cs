using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Pricing;

namespace Flywheel.Promotions.Domain.Model;

/// <summary>
/// The one JSON format (snake_case, money as integer fen, enums as snake_case strings, mechanic discriminated by "type") used by
/// the HTTP API, the CLI's files and the promotions table.
/// </summary>
internal static class PromotionJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowOutOfOrderMetadataProperties = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Parses and validates one promotion.</summary>
    public static Result<Promotion> ParsePromotion(string json) =>
        Parse<Promotion>(json) is { IsSuccess: true } parsed
            ? PromotionValidator.Validate(parsed.Value) is { } error ? error : parsed.Value
            : Parse<Promotion>(json).Error!;

    /// <summary>Parses and validates a list of promotions (a draft set); errors name the element: "[2].mechanic.tiers[0].threshold".</summary>
    public static Result<IReadOnlyList<Promotion>> ParsePromotions(string json)
    {
        var parsed = Parse<List<Promotion>>(json);
        if (!parsed.TryGetValue(out var list, out var error)) return error;
        for (var i = 0; i < list.Count; i++)
            if (PromotionValidator.Validate(list[i]) is { } e) return e with { Path = $"[{i}]." + e.Path };
        return list;
    }

    public static string Write(Promotion promotion, bool indented = false) => JsonSerializer.Serialize(promotion, indented ? Indented : Options);

    public static string Write<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Options);

    /// <summary>Parses a cart; lines without a line_id get their 1-based position as id.</summary>
    public static Result<Cart> ParseCart(string json)
    {
        var parsed = Parse<Cart>(json);
        if (!parsed.TryGetValue(out var cart, out var error)) return error;
        return Normalise(cart);
    }

    public static Result<Cart> Normalise(Cart cart)
    {
        if (cart.Lines is null) return Error.Invalid("lines", "lines is required");
        var lines = new CartLine[cart.Lines.Count];
        for (var i = 0; i < lines.Length; i++)
        {
            var l = cart.Lines[i];
            if (l is null) return Error.Invalid($"lines[{i}]", "a line is an object");
            lines[i] = l.LineId is null ? l with { LineId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) } : l;
        }
        var normalised = cart with { Lines = lines };
        return Pricer.Validate(normalised) is { } invalid ? invalid : normalised;
    }

    public static Result<T> Parse<T>(string json) => Parse(() => JsonSerializer.Deserialize<T>(json, Options));

    /// <summary>Reads an already parsed JSON value (a request body) as <typeparamref name="T"/>; errors as <see cref="Parse{T}(string)"/>.</summary>
    public static Result<T> Parse<T>(JsonElement json) => Parse(() => json.Deserialize<T>(Options));

    private static Result<T> Parse<T>(Func<T?> deserialize)
    {
        try
        {
            var value = deserialize();
            if (value is null) return Error.Invalid("$", "the document is null");
            return value;
        }
        catch (JsonException e)
        {
            var path = e.Path is null or "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            var message = e.Message.Split(" Path:")[0];
            return Error.Invalid(path, message);
        }
        catch (NotSupportedException e)
        {
            // "The JSON payload for polymorphic ... must specify a type discriminator. Path: $.mechanic | LineNumber: ..." names the field.
            var message = e.Message.Split(" Path: ")[0];
            var at = e.Message.IndexOf(" Path: ", StringComparison.Ordinal);
            var path = at < 0 ? "$" : e.Message[(at + 7)..].Split(' ', 2)[0];
            path = path is "$" or "" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
            return Error.Invalid(path, path == "mechanic" ? "mechanic needs a \"type\" (threshold, repeating_threshold, tiered, ...): " + message : message);
        }
    }
}
