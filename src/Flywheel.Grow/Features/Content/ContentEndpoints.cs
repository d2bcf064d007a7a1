using System.CommandLine;
using Flywheel.Hosting.Cli;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Grow.Features.Content;

/// <summary>The content ledger's endpoints under /v1: import, list, report.</summary>
internal static class ContentEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        ImportContentEndpoint.Map(group);
        ContentReportEndpoint.Map(group);
    }
}

/// <summary><c>flywheel content import|list|report</c>.</summary>
internal static class ContentCommands
{
    public static Command Create(CliContext cli) => new("content", "Content ledger: import items and platform metrics, list them, content CTR vs CVR")
    {
        ImportContentCommand.Create(cli),
        ImportContentCommand.List(cli),
        ContentReportCommand.Create(cli),
    };
}
