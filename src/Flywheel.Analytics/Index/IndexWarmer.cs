using System.Diagnostics;
using Flywheel.Analytics.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Analytics.Index;

/// <summary>
/// Builds the event index when the host starts (<see cref="AnalyticsOptions.BuildIndexAtStart"/>), so the first report
/// after a start reads a built index instead of waiting for the build (about 15 s on 10 million events). The host starts
/// listening at once; a report that arrives during the build waits for it, as it would without this. A failed build is
/// logged; the first report then builds (and reports the failure) as before.
/// </summary>
internal sealed class IndexWarmer(EventIndexHost host, AnalyticsOptions options, ILogger<IndexWarmer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.BuildIndexAtStart) return;
        var clock = Stopwatch.StartNew();
        try
        {
            var index = await host.GetAsync(allowStale: false, stoppingToken);
            if (log.IsEnabled(LogLevel.Information))
                log.LogInformation("event index built at start: {Events} events, {Visitors} visitors in {Seconds:F1} s", index.EventCount, index.VisitorCount, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.LogWarning(ex, "building the event index at start failed; the first report builds it");
        }
    }
}
