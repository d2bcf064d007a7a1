using System.Text.Json;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Microsoft.AspNetCore.Http;

namespace Flywheel.Analytics.Features.Shared;

/// <summary>
/// How the module's endpoints read a body: through <see cref="RequestBody"/> (the module's size limit, UTF-8 only, no lone surrogate,
/// no duplicate key), then as <typeparamref name="T"/> with snake_case names; a field of the wrong type is an error naming its path.
/// </summary>
internal static class AnalyticsBody
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct) where T : class
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body)
        {
            if (body.Root.ValueKind != JsonValueKind.Object)
                return Error.Invalid("$", $"the body must be a JSON object, not {body.Root.ValueKind.ToString().ToLowerInvariant()}");
            try
            {
                return body.Root.Deserialize<T>(Json) is { } value ? value : Error.Invalid("$", "the body must be a JSON object");
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
                return Error.Invalid(path, $"{path} has the wrong type: text is a JSON string, counts and days are numbers");
            }
        }
    }
}
