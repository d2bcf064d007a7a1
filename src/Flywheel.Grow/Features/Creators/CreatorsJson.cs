using System.Text.Json;
using System.Text.Json.Serialization;
using Flywheel.Primitives;

namespace Flywheel.Grow.Features.Creators;

/// <summary>How the creator endpoints read and write JSON: snake_case, money in fen, times ISO 8601 with their offset.</summary>
internal static class CreatorsJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>The fields of a JSON object, each checked for its type; unknown fields are refused (a typo would be lost silently).</summary>
    public sealed class Fields(JsonElement root, IReadOnlyCollection<string> known)
    {
        public Error? Check()
        {
            if (root.ValueKind != JsonValueKind.Object) return Error.Invalid("$", "the body is a JSON object");
            foreach (var property in root.EnumerateObject())
                if (!known.Contains(property.Name))
                    return Error.Invalid(property.Name, $"unknown field '{property.Name}'; the fields are {string.Join(", ", known)}");
            return null;
        }

        public Result<string?> Text(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return Result<string?>.Success(null);
            return value.ValueKind == JsonValueKind.String ? value.GetString() : Error.Invalid(name, $"{name} is a string");
        }

        public Result<long?> Whole(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return Result<long?>.Success(null);
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
                return Error.Invalid(name, $"{name} is a whole number within ±9223372036854775807, not {Show(value)}");
            return number;
        }

        private static string Show(JsonElement value)
        {
            var text = value.GetRawText();
            return text.Length > 40 ? text[..40] + "…" : text;
        }
    }
}
