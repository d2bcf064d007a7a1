using System.Threading.Channels;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Customers.Contracts;
using Flywheel.Experiments.Contracts;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Hosting.Startup;
using Flywheel.Promotions.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flywheel.Campaigns.Runtime;

/// <summary>
/// The campaign services of one server: the journey engine, its trigger feed, the dispatcher (when channels are configured)
/// and the signed links. Built once at start; endpoints and the background loop share it.
/// </summary>
internal sealed class CampaignRuntime
{
    private CampaignRuntime(CampaignStore campaigns, JourneyEngine engine, JourneyTriggerFeed feed, Dispatcher? dispatcher, TrackingLinks links,
        CustomerDirectory directory)
    {
        Campaigns = campaigns;
        Engine = engine;
        Feed = feed;
        Dispatcher = dispatcher;
        Links = links;
        Directory = directory;
    }

    public CampaignStore Campaigns { get; }
    public JourneyEngine Engine { get; }
    public JourneyTriggerFeed Feed { get; }
    public Dispatcher? Dispatcher { get; }
    public TrackingLinks Links { get; }
    public CustomerDirectory Directory { get; }

    /// <summary>The Experiments module's assignments, or null in a host without it.</summary>
    public IExperimentAssignments? Experiments { get; init; }

    /// <summary>Signals the background loop that there may be work (an ingest committed, a journey saved).</summary>
    internal Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Nudge() => Wake.Writer.TryWrite(true);

    /// <summary>Builds the runtime from the host's services (the store, clock, options, Customers' signals, Promotions' coupon issuer).</summary>
    public static Task<CampaignRuntime> CreateAsync(IServiceProvider services, CancellationToken ct) =>
        CreateAsync(services.GetRequiredService<FlywheelStore>(), services.GetRequiredService<TimeProvider>(), services.GetRequiredService<CampaignsOptions>(),
            services.GetRequiredService<ICustomerSignals>(), services.GetRequiredService<HttpClient>(), services.GetRequiredService<ICouponIssuer>(), ct,
            services.GetService<IExperimentAssignments>());

    /// <param name="experiments">The Experiments module's assignments, when the host has the module (journeys and broadcasts that name an experiment need it).</param>
    public static async Task<CampaignRuntime> CreateAsync(FlywheelStore store, TimeProvider time, CampaignsOptions options, ICustomerSignals customers,
        HttpClient http, ICouponIssuer coupons, CancellationToken ct, IExperimentAssignments? experiments = null)
    {
        var campaigns = new CampaignStore(store, time);
        var directory = new CustomerDirectory(store);
        var links = await TrackingLinks.ForStoreAsync(store, options.PublicBaseUrl, ct, new Templates.LinkPolicy(options.LinkHosts));
        var owner = Dispatcher.NewOwnerName();
        var engine = new JourneyEngine(store, campaigns, directory, links, time, owner, customers.MatchesAsync) { Coupons = coupons, Experiments = experiments };
        await engine.ReloadAsync(ct);
        Dispatcher? dispatcher = null;
        if (options.Channels is { } channelOptions && ChannelRegistry.Create(channelOptions, http, time).TryGetValue(out var registry, out _) && registry.Kinds.Count > 0)
            dispatcher = new Dispatcher(campaigns, registry, directory, options.SendPolicy, time, owner, engine.StillEligibleAsync);
        return new CampaignRuntime(campaigns, engine, new JourneyTriggerFeed(store, engine), dispatcher, links, directory) { Experiments = experiments };
    }
}

/// <summary>
/// The campaign loop: on every committed ingest (and at least every poll interval) it feeds new events to the journeys,
/// advances due journey entries and sends due messages; lifecycle transitions and segment membership changes enter
/// journeys as they happen; date triggers are swept hourly. Each pass is idempotent, so a crash and restart only repeats work.
/// </summary>
internal sealed class CampaignWorker(FlywheelStore store, Started<CampaignRuntime> started, ICustomerSignals customers,
    CampaignsOptions options, TimeProvider time, ILogger<CampaignWorker> log) : BackgroundService
{
    private readonly Channel<Func<CancellationToken, Task>> _pending = Channel.CreateUnbounded<Func<CancellationToken, Task>>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Workers) return;
        var runtime = await started.Task;
        void OnCommitted(IngestChanges _) => runtime.Nudge();
        void OnStages(IReadOnlyList<StageChange> transitions) => _pending.Writer.TryWrite(async ct =>
        {
            foreach (var t in transitions) await runtime.Engine.OnLifecycleAsync(t.CustomerId, t.From, t.To, ct);
        });
        void OnMembers(MembershipChange change) => _pending.Writer.TryWrite(async ct =>
        {
            foreach (var c in change.Entered) await runtime.Engine.OnSegmentChangeAsync(change.Segment, c, true, ct);
            foreach (var c in change.Exited) await runtime.Engine.OnSegmentChangeAsync(change.Segment, c, false, ct);
        });
        store.Committed += OnCommitted;
        customers.StageChanged += OnStages;
        customers.MembershipChanged += OnMembers;
        var lastSweep = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    while (_pending.Reader.TryRead(out var work)) await work(stoppingToken);
                    await runtime.Feed.PollAsync(stoppingToken);
                    await runtime.Engine.SweepSchedulesAsync(stoppingToken);
                    await runtime.Engine.AdvanceAsync(stoppingToken);
                    if (time.GetUtcNow() - lastSweep > TimeSpan.FromHours(1))
                    {
                        await runtime.Engine.SweepDatesAsync(stoppingToken);
                        lastSweep = time.GetUtcNow();
                    }
                    if (runtime.Dispatcher is { } dispatcher) await dispatcher.RunOnceAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    log.LogError(e, "campaign pass failed; retrying at the next poll");
                }
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                poll.CancelAfter(options.PollInterval);
                try
                {
                    await runtime.Wake.Reader.ReadAsync(poll.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the poll interval passed without a nudge
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Committed -= OnCommitted;
            customers.StageChanged -= OnStages;
            customers.MembershipChanged -= OnMembers;
        }
    }
}
