using System.Text.Json;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Promotions.Domain.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Flywheel.Promotions.Features;

/// <summary>How the module's endpoints read and write bodies: the snake_case JSON of <see cref="PromotionJson"/>, money in fen.</summary>
internal static class PromotionsHttp
{
    public static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, PromotionJson.Options, "application/json", status);

    /// <summary>The body as <typeparamref name="T"/>, or the error that says what is wrong with it (size, media type, JSON, a field).</summary>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body) return PromotionJson.Parse<T>(body.Root);
    }

    /// <summary>The body as JSON text, for parsers of their own (the pipeline).</summary>
    public static async Task<Result<string>> ReadTextAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, maxBytes, ct);
        if (!read.TryGetValue(out var body, out var error)) return error;
        using (body) return body.Root.GetRawText();
    }

    public static string Serialize<T>(T value, bool indented) => JsonSerializer.Serialize(value, indented ? PromotionJson.Indented : PromotionJson.Options);
}
