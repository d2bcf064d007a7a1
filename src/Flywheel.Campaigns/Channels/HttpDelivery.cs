using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Flywheel.Campaigns.Channels;

/// <summary>One HTTP answer, or the delivery failure that stood in for one.</summary>
internal readonly record struct HttpAnswer(HttpStatusCode Status, string Body, DeliveryResult? Failure)
{
    public bool IsSuccess => Failure is null && (int)Status is >= 200 and < 300;
}

/// <summary>The POST, timeout and status mapping the HTTP channels share.</summary>
internal static class HttpDelivery
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>
    /// POSTs <paramref name="body"/> as JSON, signed when <paramref name="secret"/> is given. Network errors and the
    /// channel's own timeout come back as <see cref="HttpAnswer.Failure"/>; cancellation by <paramref name="ct"/> is
    /// rethrown, because then the caller (or the resilience pipeline's per-attempt timeout) decided, not the provider.
    /// </summary>
    public static async Task<HttpAnswer> PostJsonAsync(
        HttpClient http, Uri url, byte[] body, string? secret, TimeProvider time, TimeSpan timeout, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = Json;
        if (secret is not null)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(Signatures.TimestampHeader, timestamp);
            request.Headers.Add(Signatures.SignatureHeader, Signatures.Sign(secret, timestamp, body));
        }

        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return new HttpAnswer(response.StatusCode, text, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Our timeout or HttpClient.Timeout: the provider may still have acted, so a retry relies on its dedup.
            return new HttpAnswer(0, "", DeliveryResult.Transient($"no answer from {url.Host} within {timeout.TotalMilliseconds:0} ms"));
        }
        catch (HttpRequestException e)
        {
            return new HttpAnswer(0, "", DeliveryResult.Transient($"cannot reach {url.Host}: {e.Message}"));
        }
    }

    /// <summary>429 and 5xx may pass later; any other non-2xx will not.</summary>
    public static DeliveryResult Failure(HttpStatusCode status, string body)
    {
        var code = (int)status;
        var detail = $"HTTP {code}{(body.Length == 0 ? "" : ": " + Truncate(body, 200))}";
        return code == 429 || code >= 500 || code == 408 ? DeliveryResult.Transient(detail) : DeliveryResult.Permanent(detail);
    }

    /// <summary>A string or number property of a JSON object, or null when the body is not such an object.</summary>
    public static string? ReadProperty(string body, string property)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(property, out var value))
                return null;
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
