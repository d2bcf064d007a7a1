using System.Data.Common;
using Flywheel.Promotions.Contracts;
using Flywheel.Promotions.Storage;

// Code that breaks the module rules on purpose, so PlantedViolationTests can show each rule fails. Nothing calls it.
#pragma warning disable CA1812, CA1822, IDE0051

namespace Flywheel.Architecture.Tests.Planted.Module
{
    /// <summary>A "module" that reaches into Promotions' storage instead of its contracts.</summary>
    internal sealed class ReachesIntoPromotions
    {
        public Type Internal => typeof(PromotionCatalog);

        public Type Allowed => typeof(ICouponIssuer);
    }
}

namespace Flywheel.Architecture.Tests.Planted.Domain
{
    /// <summary>Domain code that reads the wall clock.</summary>
    internal static class ReadsTheClock
    {
        public static DateTimeOffset Now() => TimeProvider.System.GetUtcNow();
    }

    /// <summary>Domain code that talks to a database.</summary>
    internal static class OpensConnections
    {
        public static string? Describe(DbConnection connection) => connection.Database;
    }
}

namespace Flywheel.Architecture.Tests.Planted
{
    internal static class PlantedHandlers
    {
        public static string Get() => "planted";
    }
}
