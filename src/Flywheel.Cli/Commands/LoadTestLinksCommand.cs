using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Flywheel.Cli.Commands;

/// <summary>
/// <c>flywheel loadtest links --code CODE</c>: follows a tracking link's public redirect (<c>GET /l/{code}</c>) from many simulated
/// browsers at once — each request carries one of <c>--browsers</c> anonymous-id cookies, as returning scanners do — and reports
/// redirects per second and the latency of each redirect (its click is recorded before the 302). Loopback only, bounded in
/// requests and time.
/// </summary>
internal static class LoadTestLinksCommand
{
    public static Command Create(CliConsole console)
    {
        var url = new Option<string>("--url") { Description = "Base URL of a running 'flywheel serve' (loopback only)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var code = new Option<string>("--code") { Description = "The link's code (flywheel links create / links list)", Required = true };
        var requests = new Option<int>("--requests") { Description = "Redirects to follow in total (1-10,000,000)", DefaultValueFactory = _ => 100_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight (1-512)", DefaultValueFactory = _ => 64 };
        var browsers = new Option<int>("--browsers") { Description = "Distinct anonymous-id cookies to send (0: none, every request is a new browser)", DefaultValueFactory = _ => 10_000 };
        var duration = new Option<int>("--max-seconds") { Description = "Stop after this many seconds (1-3600)", DefaultValueFactory = _ => 120 };
        var warmup = new Option<int>("--warmup") { Description = "Requests sent first and not measured", DefaultValueFactory = _ => 2_000 };
        var command = new Command("links", "GET /l/{code} with many browsers and report redirects/s and p50/p99 latency (the click is recorded in each)")
        {
            url, code, requests, concurrency, browsers, duration, warmup,
        };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(url)!;
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !LoadTestCommand.IsLoopback(uri))
                return await Bad(console, $"--url '{target}' is not a loopback http(s) URL");
            var n = parse.GetValue(requests);
            var c = parse.GetValue(concurrency);
            if (n is < 1 or > 10_000_000) return await Bad(console, "--requests must be between 1 and 10,000,000");
            if (c is < 1 or > 512) return await Bad(console, "--concurrency must be between 1 and 512");
            if (parse.GetValue(browsers) is < 0 or > 10_000_000) return await Bad(console, "--browsers must be between 0 and 10,000,000");
            if (parse.GetValue(duration) is < 1 or > 3600) return await Bad(console, "--max-seconds must be between 1 and 3600");
            if (parse.GetValue(warmup) is < 0 or > 1_000_000) return await Bad(console, "--warmup must be between 0 and 1,000,000");
            return await RunAsync(console, uri, Uri.EscapeDataString(parse.GetValue(code)!), n, c, parse.GetValue(browsers), parse.GetValue(duration), parse.GetValue(warmup), ct);
        });
        return command;
    }

    private static async Task<int> Bad(CliConsole console, string message)
    {
        await console.Error.WriteLineAsync("error: " + message);
        return ExitCodes.BadInput;
    }

    private static async Task<int> RunAsync(CliConsole console, Uri baseUri, string code, int total, int concurrency, int browsers, int maxSeconds, int warmup,
        CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency, UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        var path = "/l/" + code;
        var cookies = Enumerable.Range(0, browsers).Select(i => string.Create(CultureInfo.InvariantCulture, $"fw_aid=lt{i:D10}")).ToArray();

        async Task<(bool Redirected, string? Failure)> OneAsync(int i, CancellationToken token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (cookies.Length > 0) request.Headers.TryAddWithoutValidation("Cookie", cookies[i % cookies.Length]);
            request.Headers.TryAddWithoutValidation("User-Agent", "flywheel-loadtest");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            return response.StatusCode == HttpStatusCode.Redirect ? (true, null) : (false, $"HTTP {(int)response.StatusCode}");
        }

        for (var i = 0; i < warmup; i += concurrency)
            await Task.WhenAll(Enumerable.Range(i, Math.Min(concurrency, warmup - i)).Select(j => OneAsync(j, ct)));

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var latencies = new double[total];
        var done = new bool[total];
        long failures = 0;
        string? firstFailure = null;
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task Worker()
        {
            while (!linked.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= total) return;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var (redirected, failure) = await OneAsync(i, linked.Token);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    done[i] = true;
                    if (!redirected)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, failure, null);
                    }
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));
        clock.Stop();
        ct.ThrowIfCancellationRequested();
        var sorted = latencies.Where((_, i) => done[i]).Order().ToArray();
        var seconds = clock.Elapsed.TotalSeconds;
        var o = console.Out;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"redirects:   {sorted.Length - failures:N0} of {sorted.Length:N0} requests ({failures} not 302){(deadline.IsCancellationRequested ? $"; stopped at the {maxSeconds} s limit" : "")}"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"elapsed:     {seconds:0.00} s with {concurrency} in flight, {browsers:N0} browsers"));
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"throughput:  {(sorted.Length - failures) / Math.Max(seconds, 1e-9):N0} redirects/s"));
        if (sorted.Length > 0)
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"latency:     p50 {LoadTestCommand.Percentile(sorted, 0.50):0.00} ms, p99 {LoadTestCommand.Percentile(sorted, 0.99):0.00} ms, max {sorted[^1]:0.00} ms"));
        await o.WriteLineAsync($"errors:      {failures}{(firstFailure is null ? "" : $" (first: {firstFailure})")}");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Unexpected;
    }
}
