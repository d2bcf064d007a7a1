using System.CommandLine;
using Flywheel.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Flywheel.Cli.Commands;

/// <summary><c>flywheel serve</c>: the HTTP API over the store, until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';'",
            DefaultValueFactory = _ => "http://127.0.0.1:5080",
        };
        var maxRequestMb = new Option<int>("--max-request-mb")
        {
            Description = "Largest request body accepted, in MiB (1-1024); larger bodies get 413",
            DefaultValueFactory = _ => (int)(ServerOptions.DefaultMaxRequestBytes / (1024 * 1024)),
        };
        var command = new Command("serve", "Run the HTTP API (events, orders, customers, identify; OpenAPI at /openapi/v1.json) until SIGTERM or Ctrl+C")
        {
            urls,
            maxRequestMb,
        };
        command.SetAction(async (parse, ct) =>
        {
            var megabytes = parse.GetValue(maxRequestMb);
            if (megabytes is < 1 or > 1024)
            {
                await console.Error.WriteLineAsync($"error: --max-request-mb must be between 1 and 1024 (got {megabytes})");
                return ExitCodes.BadInput;
            }
            var (store, exitCode) = await FlywheelCli.OpenStoreAsync(parse, console, time, ct);
            if (store is null) return exitCode;
            using var _ = store;
            var options = new ServerOptions
            {
                MaxRequestBytes = megabytes * 1024L * 1024,
                TimeZone = await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct),
            };
            WebApplication app;
            try
            {
                app = FlywheelServer.Build(store, time, parse.GetValue(urls)!, options);
            }
            catch (ArgumentException e)
            {
                await console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException e)
                {
                    // Kestrel reports an address in use (or not assignable) as an IOException.
                    await console.Error.WriteLineAsync($"error: cannot listen on {parse.GetValue(urls)}: {e.Message}");
                    return ExitCodes.BadInput;
                }
                await console.Error.WriteLineAsync($"flywheel serving {store.Location.Description} on {string.Join(", ", app.Urls)}; Ctrl+C or SIGTERM stops it");
                // SIGTERM is handled by the host's console lifetime; Ctrl+C also cancels ct. Either way the host stops
                // accepting connections and waits up to ServerOptions.ShutdownTimeout for in-flight requests.
                await app.WaitForShutdownAsync(ct);
            }
            await console.Error.WriteLineAsync("flywheel server stopped");
            return ExitCodes.Ok;
        });
        return command;
    }
}
