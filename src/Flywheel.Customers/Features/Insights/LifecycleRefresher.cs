using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Customers.Features.Insights;

/// <summary>
/// Recomputes lifecycle stages on a timer (<see cref="CustomersOptions.LifecycleRefreshInterval"/>, by the server's
/// <see cref="TimeProvider"/>) and records transitions: stages change with the passing of time, not only with orders,
/// so a customer becomes at-risk without any event arriving. A failed refresh is logged and retried next tick.
/// </summary>
internal sealed class LifecycleRefresher(EventIndexHost host, LifecycleService lifecycle, Flywheel.Customers.CustomerInsights insights, CustomersOptions options, TimeProvider time,
    ILogger<LifecycleRefresher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The first GET /v1/lifecycle would otherwise read every stored stage (about a second per million customers).
            await lifecycle.WarmAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.LogWarning(ex, "reading the stored lifecycle stages ahead failed; the first lifecycle call reads them");
        }
        if (options.LifecycleRefreshInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.LifecycleRefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var index = await host.GetAsync(allowStale: false, stoppingToken);
                var today = LocalCalendar.Today(index.TimeZone, time);
                var refresh = await lifecycle.RefreshAsync(index, today, record: true, insights.PAliveOf(index, today), stoppingToken);
                if (log.IsEnabled(LogLevel.Information))
                    log.LogInformation("lifecycle refresh as of {AsOf}: {Transitions} transitions", refresh.AsOf, refresh.Transitions.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.LogError(ex, "lifecycle refresh failed; retrying at the next tick");
            }
        }
    }
}
