using System.Globalization;
using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Http;

namespace Flywheel.Hosting.Access;

/// <summary>Marks an endpoint whose work grows with the store (reports, segments, exports): it runs under <see cref="QueryLimits"/>.</summary>
public sealed record QueryTimeLimited;

/// <summary>
/// Time and concurrency limits of the expensive queries (OWASP API4). A query endpoint takes one of
/// <see cref="AccessOptions.MaxConcurrentQueries"/> slots, or answers 429 at once when all are taken. Its request token is cancelled
/// after <see cref="AccessOptions.QueryTimeoutSeconds"/>, so database reads and streamed exports stop there; if the handler has not
/// returned by then, the caller gets 503 without waiting for it. Work that does not watch the token (the in-memory engines) keeps its
/// slot until it really ends, so abandoned queries cannot pile up beyond the slots: the server's CPU stays bounded.
/// </summary>
public sealed class QueryLimits(AccessOptions options) : IDisposable
{
    private const string StateItem = "flywheel.query";
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentQueries, options.MaxConcurrentQueries);

    /// <summary>Slots held now, by answered and abandoned queries alike.</summary>
    public int InUse => options.MaxConcurrentQueries - _slots.CurrentCount;

    public void Dispose() => _slots.Dispose();

    /// <summary>The middleware half: takes a slot and puts the time limit on the request's token (before the handler's parameters are bound).</summary>
    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<QueryTimeLimited>() is null)
        {
            await next(context);
            return;
        }
        if (!_slots.Wait(0))
        {
            context.Response.Headers.RetryAfter = "1";
            await Problems.Create(StatusCodes.Status429TooManyRequests, "https://flywheel.dev/problems/queries-busy", "Too many queries at once",
                $"the server runs at most {options.MaxConcurrentQueries} report, segment and export queries at once and all are taken; retry after 1 s")
                .ExecuteAsync(context);
            return;
        }
        var state = new QueryState(options.QueryTimeoutSeconds);
        var aborted = context.RequestAborted;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, state.Timeout.Token);
        context.RequestAborted = linked.Token;
        context.Items[StateItem] = state;
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (state.Timeout.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            if (context.Response.HasStarted) context.Abort(); // a streamed export cut short: the client must not take it for whole
            else await TimedOut().ExecuteAsync(context);
        }
        finally
        {
            context.RequestAborted = aborted;
            if (!state.Abandoned)
            {
                _slots.Release();
                linked.Dispose();
                state.Timeout.Dispose();
            }
            else
            {
                state.Release = () =>
                {
                    _slots.Release();
                    linked.Dispose();
                    state.Timeout.Dispose();
                };
                state.Released.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The endpoint-filter half: runs the handler and stops waiting for it when the time is up. The abandoned work releases its slot
    /// when it ends (its result, or its failure, has no one to answer).
    /// </summary>
    internal static async ValueTask<object?> RunAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!context.Items.TryGetValue(StateItem, out var item) || item is not QueryState state) return await next(invocation);
        var work = Task.Run(async () => await next(invocation), CancellationToken.None);
        try
        {
            return await work.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (state.Timeout.IsCancellationRequested && !work.IsCompleted)
        {
            state.Abandoned = true;
            _ = Task.WhenAll(work, state.Released.Task).ContinueWith(ended =>
            {
                _ = ended.Exception;
                state.Release?.Invoke();
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return TimedOut(state.Seconds);
        }
    }

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TimedOut() => TimedOut(options.QueryTimeoutSeconds);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TimedOut(int seconds) =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, "https://flywheel.dev/problems/query-timeout", "The query took too long",
            string.Create(CultureInfo.InvariantCulture,
                $"the query was stopped after {seconds} s (Access:QueryTimeoutSeconds); narrow it: fewer days, a smaller segment or fewer steps"));

    private sealed class QueryState(int seconds)
    {
        public int Seconds { get; } = seconds;
        public CancellationTokenSource Timeout { get; } = new(TimeSpan.FromSeconds(seconds));
        public volatile bool Abandoned;
        public Action? Release;
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
