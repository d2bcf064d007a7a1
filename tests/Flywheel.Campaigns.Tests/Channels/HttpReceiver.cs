using Flywheel.Campaigns.Channels;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flywheel.Campaigns.Tests.Channels;

/// <summary>A request the receiver saw.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>What the receiver answers; <see cref="Hang"/> holds the request open until the receiver is disposed.</summary>
internal sealed record Reply(int Status, string Body = "", bool Hang = false);

/// <summary>
/// A local HTTP endpoint on a free loopback port standing in for a provider we cannot run here (SMS gateway, WeCom,
/// a webhook receiver). Records every request and answers with <see cref="Respond"/> (attempt number is 1-based).
/// </summary>
internal sealed class HttpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _count;

    public HttpReceiver()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public int Count => Volatile.Read(ref _count);

    public Func<int, Reply> Respond { get; set; } = _ => new Reply(200, "{}");

    /// <summary>Waits (up to 5 s) until at least <paramref name="count"/> requests arrived; returns how many did.</summary>
    public async Task<int> WaitForCountAsync(int count)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Count < count && waited.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(10);
        return Count;
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body.ToArray()));
            var reply = Respond(Interlocked.Increment(ref _count));
            if (reply.Hang)
                await Task.Delay(Timeout.Infinite, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception)
        {
            try { context.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}

/// <summary>A clock set by hand for both wall time and timestamps (Polly's circuit breaker reads either).</summary>
internal sealed class FakeClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 11, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _now += by;
}

internal static class Messages
{
    public static OutboundMessage For(ChannelKind kind, string recipient, string? key = null) => new(
        MessageId: 42,
        IdempotencyKey: key ?? $"journey-7/step-2/cust-1/{Guid.NewGuid():N}",
        Channel: kind,
        Purpose: MessagePurpose.Marketing,
        CustomerId: "cust-1",
        Recipient: recipient,
        Subject: "双十一专属优惠",
        Text: "你好，小王：您的购物车还有 2 件商品。",
        Html: "<p>你好，<b>小王</b></p>",
        UnsubscribeUrl: "https://shop.example/u/abc123");
}
