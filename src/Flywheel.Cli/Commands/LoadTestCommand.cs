using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel loadtest ingest</c>: posts synthetic, valid event batches to a local server and reports throughput
/// and latency. Every body is serialised before the clock starts, so the generator does not compete with the
/// server for the CPU while measuring. Bounded in events and in time, and refuses anything but loopback, so it
/// cannot be aimed at someone else's server.
/// </summary>
internal static class LoadTestCommand
{
    private static readonly string[] Types = ["page_view", "product_view", "add_to_cart", "click", "search", "begin_checkout"];
    private static readonly string[] Channels = ["tmall", "jd", "douyin", "pinduoduo", "own_store", "wechat"];
    private static readonly string[] Campaigns = ["double11", "618", "member_day", "new_arrivals", ""];

    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("loadtest", "Load tests against a local Flywheel server");
        command.Subcommands.Add(CreateIngest(console, time));
        command.Subcommands.Add(LoadTestLinksCommand.Create(console));
        return command;
    }

    private static Command CreateIngest(CliConsole console, TimeProvider time)
    {
        var url = new Option<string>("--url") { Description = "Base URL of a running 'flywheel serve' (loopback only)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var events = new Option<int>("--events") { Description = "Events to send in total (1-10,000,000)", DefaultValueFactory = _ => 1_000_000 };
        var batch = new Option<int>("--batch") { Description = "Events per request (1-10,000)", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight (1-64)", DefaultValueFactory = _ => 2 };
        var duration = new Option<int>("--max-seconds") { Description = "Stop sending after this many seconds (1-3600)", DefaultValueFactory = _ => 300 };
        var key = new Option<string?>("--key") { Description = "An API key with the ingest (or admin) role; default: $FLYWHEEL_API_KEY" };
        var command = new Command("ingest", "POST synthetic event batches to /v1/events and report events/s, p50/p99 request latency and errors")
        {
            url, events, batch, concurrency, duration, key,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(parse.GetValue(url)!, parse.GetValue(events), parse.GetValue(batch), parse.GetValue(concurrency), parse.GetValue(duration));
            if (settings.Validate() is { } problem)
            {
                await console.Error.WriteLineAsync($"error: {problem}");
                return ExitCodes.BadInput;
            }
            return await RunAsync(settings, parse.GetValue(key) ?? Environment.GetEnvironmentVariable("FLYWHEEL_API_KEY"), console, time, ct);
        });
        return command;
    }

    internal sealed record Settings(string Url, int Events, int Batch, int Concurrency, int MaxSeconds)
    {
        public string? Validate()
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return $"--url '{Url}' is not an http(s) URL";
            if (!IsLoopback(uri))
                return $"--url '{Url}' is not a loopback address; the load test only runs against a server on this machine (127.0.0.1, ::1, localhost)";
            if (Events is < 1 or > 10_000_000) return $"--events must be between 1 and 10,000,000 (got {Events})";
            if (Batch is < 1 or > 10_000) return $"--batch must be between 1 and 10,000 (got {Batch})";
            if (Concurrency is < 1 or > 64) return $"--concurrency must be between 1 and 64 (got {Concurrency})";
            if (MaxSeconds is < 1 or > 3600) return $"--max-seconds must be between 1 and 3600 (got {MaxSeconds})";
            return null;
        }
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static async Task<int> RunAsync(Settings settings, string? key, CliConsole console, TimeProvider time, CancellationToken ct)
    {
        var generate = Stopwatch.StartNew();
        var bodies = Generate(settings, time);
        await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"generated {settings.Events:N0} events in {bodies.Length} bodies ({bodies.Sum(b => (long)b.Length) / (1024.0 * 1024):0.0} MiB) in {generate.Elapsed.TotalSeconds:0.0} s; sending with concurrency {settings.Concurrency}"));

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromSeconds(120) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(settings.MaxSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);

        var latencies = new double[bodies.Length];
        var sent = new bool[bodies.Length];
        long accepted = 0, duplicates = 0, rejected = 0, failures = 0;
        string? firstFailure = null;
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task Worker()
        {
            while (!linked.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= bodies.Length) return;
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync("/v1/events", content, linked.Token);
                    var text = await response.Content.ReadAsStringAsync(linked.Token);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    sent[i] = true;
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, $"HTTP {(int)response.StatusCode}: {Truncate(text)}", null);
                        continue;
                    }
                    using var result = JsonDocument.Parse(text);
                    Interlocked.Add(ref accepted, result.RootElement.GetProperty("accepted").GetInt64());
                    Interlocked.Add(ref duplicates, result.RootElement.GetProperty("duplicates").GetInt64());
                    Interlocked.Add(ref rejected, result.RootElement.GetProperty("rejected").GetInt64());
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                    if (e.HttpRequestError == HttpRequestError.ConnectionError) return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Worker()));
        clock.Stop();
        ct.ThrowIfCancellationRequested();

        var done = latencies.Where((_, i) => sent[i]).Order().ToArray();
        var seconds = clock.Elapsed.TotalSeconds;
        var o = console.Out;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"requests:    {done.Length:N0} of {bodies.Length:N0} ({failures} failed){(deadline.IsCancellationRequested ? $"; stopped at the {settings.MaxSeconds} s limit" : "")}"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"events:      {accepted:N0} accepted, {duplicates:N0} duplicates, {rejected:N0} rejected"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"elapsed:     {seconds:0.00} s"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"throughput:  {accepted / Math.Max(seconds, 1e-9):N0} events/s accepted"));
        if (done.Length > 0)
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"latency:     p50 {Percentile(done, 0.50):0.0} ms, p99 {Percentile(done, 0.99):0.0} ms, max {done[^1]:0.0} ms per request"));
        await o.WriteLineAsync($"errors:      {failures}{(firstFailure is null ? "" : $" (first: {firstFailure})")}");
        return failures == 0 && rejected == 0 ? ExitCodes.Ok : ExitCodes.Unexpected;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>
    /// Bodies of valid events: unique ids per run (so every event is new), 50,000 customers, a quarter anonymous,
    /// times within the past 30 days in +08:00, small properties objects.
    /// </summary>
    internal static byte[][] Generate(Settings settings, TimeProvider time)
    {
        var now = time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var run = now.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture);
        var random = new Random(42);
        var count = (settings.Events + settings.Batch - 1) / settings.Batch;
        var bodies = new byte[count][];
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(settings.Batch * 400);
        var n = 0;
        for (var b = 0; b < count; b++)
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("events");
                for (var i = 0; i < settings.Batch && n < settings.Events; i++, n++)
                {
                    json.WriteStartObject();
                    json.WriteString("event_id", string.Create(CultureInfo.InvariantCulture, $"lt-{run}-{n}"));
                    json.WriteString("type", Types[random.Next(Types.Length)]);
                    json.WriteString("time", now.AddSeconds(-random.Next(30 * 24 * 3600)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                    var customer = random.Next(50_000);
                    if (random.Next(4) == 0)
                        json.WriteString("anonymous_id", string.Create(CultureInfo.InvariantCulture, $"anon-{customer}"));
                    else
                        json.WriteString("customer_id", string.Create(CultureInfo.InvariantCulture, $"c{customer}"));
                    json.WriteString("channel", Channels[random.Next(Channels.Length)]);
                    json.WriteString("source", "loadtest");
                    var campaign = Campaigns[random.Next(Campaigns.Length)];
                    if (campaign.Length > 0) json.WriteString("campaign", campaign);
                    json.WriteString("sku", string.Create(CultureInfo.InvariantCulture, $"SKU-{random.Next(2_000):D5}"));
                    json.WriteNumber("value", random.Next(100, 100_000) / 100m);
                    json.WriteStartObject("properties");
                    json.WriteString("page", string.Create(CultureInfo.InvariantCulture, $"/p/{random.Next(2_000)}"));
                    json.WriteNumber("position", random.Next(1, 40));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            bodies[b] = buffer.WrittenSpan.ToArray();
        }
        return bodies;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
