using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Flywheel.Hosting.Startup;

/// <summary>
/// A value a module builds asynchronously when the host starts (a runtime that reads its keys from the store). Hosted services
/// start before the server takes requests, so an endpoint that asks for <see cref="Value"/> always finds it; a background loop
/// awaits <see cref="Task"/> instead, because hosted services are constructed before any of them starts.
/// </summary>
public sealed class Started<T> where T : class
{
    private readonly TaskCompletionSource<T> _value = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _value.Task;

    public T Value => _value.Task.IsCompletedSuccessfully
        ? _value.Task.Result
        : throw new InvalidOperationException($"{typeof(T).Name} is built when the host starts; it was asked for before that");

    internal void Set(T value) => _value.TrySetResult(value);

    internal void Fail(Exception e) => _value.TrySetException(e);
}

/// <summary>Registers work that must finish before the host serves requests, in place of blocking calls in a composition root.</summary>
public static class StartupTaskExtensions
{
    /// <summary>Runs <paramref name="task"/> when the host starts, in registration order, before later hosted services start.</summary>
    public static IServiceCollection AddStartupTask(this IServiceCollection services, Func<IServiceProvider, CancellationToken, Task> task)
    {
        services.AddSingleton(new StartupTask(task));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StartupTaskRunner>());
        return services;
    }

    /// <summary>
    /// Builds a <typeparamref name="T"/> when the host starts and registers it: as <see cref="Started{T}"/> for loops that wait for
    /// it, and as <typeparamref name="T"/> itself for everything resolved after start (endpoints).
    /// </summary>
    public static IServiceCollection AddStartedSingleton<T>(this IServiceCollection services, Func<IServiceProvider, CancellationToken, Task<T>> build)
        where T : class
    {
        var holder = new Started<T>();
        services.AddSingleton(holder);
        services.AddSingleton(_ => holder.Value);
        return services.AddStartupTask(async (provider, ct) =>
        {
            try
            {
                holder.Set(await build(provider, ct));
            }
            catch (Exception e)
            {
                holder.Fail(e);
                throw;
            }
        });
    }

    private sealed record StartupTask(Func<IServiceProvider, CancellationToken, Task> Run);

    private sealed class StartupTaskRunner(IEnumerable<StartupTask> tasks, IServiceProvider provider) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var task in tasks) await task.Run(provider, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
