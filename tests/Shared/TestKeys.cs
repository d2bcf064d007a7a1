using Flywheel.Hosting.Access;
using Flywheel.Storage;

namespace Flywheel.Tests;

/// <summary>API keys for tests that call the HTTP API: created in the store like <c>flywheel keys create</c> does.</summary>
internal static class TestKeys
{
    public static async Task<string> CreateAsync(FlywheelStore store, string role = Roles.AdminRole, string name = "test")
    {
        var made = await new ApiKeys(store).CreateAsync(role, name, CancellationToken.None);
        return made.Value.Secret;
    }
}
