using System.CommandLine;
using Flywheel.Grow.Features.ChannelMatrix;
using Flywheel.Grow.Features.Stages;
using Flywheel.Grow.Features.NextYuan;
using Flywheel.Hosting.Cli;

namespace Flywheel.Grow.Features;

/// <summary><c>flywheel channels matrix|next-yuan|stages</c>: the channel mix along the customer lifecycle.</summary>
internal static class ChannelsCommand
{
    public static Command Create(CliContext cli) =>
        new("channels", "The channel matrix along the lifecycle, where the next yuan goes, and the stage each channel serves")
        {
            ChannelMatrixCommand.Create(cli),
            NextYuanCommand.Create(cli),
            ChannelStagesCommand.Create(cli),
        };
}
