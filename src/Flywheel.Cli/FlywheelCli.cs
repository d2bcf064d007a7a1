using System.CommandLine;
using Flywheel.Cli.Commands;
using Flywheel.Primitives;
using Flywheel.Analytics;
using Flywheel.Campaigns;
using Flywheel.Customers;
using Flywheel.Ingestion;
using Flywheel.Promotions;
using Flywheel.Server;
using Flywheel.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Cli;

public static class FlywheelCli
{
    /// <summary>--data: the folder that holds the embedded SQLite store.</summary>
    internal static Option<string?> DataOption => CliContext.DataOption;

    /// <summary>--db: a PostgreSQL connection string; FLYWHEEL_DB is read when it is absent.</summary>
    internal static Option<string?> DbOption => CliContext.DbOption;

    /// <summary>Every module's services, as the server registers them, for commands that resolve handlers.</summary>
    internal static void AddModules(IServiceCollection services)
    {
        var configuration = new ConfigurationBuilder().Build();
        services.AddIngestion(configuration);
        services.AddAnalytics(configuration);
        services.AddCustomers(configuration);
        services.AddPromotions(configuration);
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, TimeProvider time)
    {
        var cli = new CliContext(console, time, FlywheelServer.Migrations, AddModules);
        var root = new RootCommand("Flywheel: measure, understand, offer, engage — an e-commerce marketing engine")
        {
            DataOption,
            DbOption,
            DemoCommand.Create(console, time),
            ServeCommand.Create(console, time),
            ServeCommand.CreateWorker(console, time),
            LoadTestCommand.Create(console, time),
            ReportCommand.Create(cli),
        };
        foreach (var command in AnalyticsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in CustomersModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in IngestionModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in PromotionsModule.Commands(cli)) root.Subcommands.Add(command);
        foreach (var command in CampaignsModule.Commands(cli)) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await console.Error.WriteLineAsync($"error: {error.Message}");
            await console.Error.WriteLineAsync("run 'flywheel --help' for usage");
            return ExitCodes.BadInput;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("cancelled; nothing was committed by the interrupted step");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Opens the store the global options name, with every module's tables; on failure prints the reason and gives the exit code.</summary>
    internal static Task<(FlywheelStore? Store, int ExitCode)> OpenStoreAsync(ParseResult parse, CliConsole console, TimeProvider time, CancellationToken ct) =>
        new CliContext(console, time, FlywheelServer.Migrations).OpenStoreAsync(parse, ct);

    internal static Task WriteErrorAsync(CliConsole console, Error error) => console.Error.WriteLineAsync($"error: {error}");
}
