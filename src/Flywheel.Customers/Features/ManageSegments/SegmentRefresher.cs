using Flywheel.Customers.Segments;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Customers.Features.ManageSegments;

/// <summary>
/// Re-evaluates every segment over every customer when the server starts (ingests it did not see, from imports run while
/// it was down, and time that passed) and then every <see cref="CustomersOptions.SegmentRefreshInterval"/>: windows move
/// with the clock, and fields of other modules change without an ingest. Ingests themselves are applied at once by
/// <see cref="SegmentService"/>.
/// </summary>
internal sealed class SegmentRefresher(SegmentService segments, CustomersOptions options, TimeProvider time, ILogger<SegmentRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SegmentRefreshInterval, time);
        do
        {
            try
            {
                await segments.RefreshAllAsync(stoppingToken);
                if (segments.LastUpdate is { Kind: "full" } update && (update.Entered > 0 || update.Exited > 0))
                    Log.SegmentsRefreshed(logger, update.Entered, update.Exited, update.Latency.TotalMilliseconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.SegmentRefreshFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
