using Flywheel.Analytics.Storage;
using Flywheel.Storage;

namespace Flywheel.Analytics.Contracts;

/// <summary>
/// The saved audiences (a funnel's drop-offs, an imported list) as other modules may read them: whether one exists, and its
/// members. Analytics owns the audience tables; this is the query it exposes over them (docs/adr/0009-modules.md).
/// </summary>
public static class SavedAudiences
{
    /// <summary>True when <paramref name="name"/> is a valid audience name and an audience of that name is saved.</summary>
    public static async Task<bool> ExistsAsync(FlywheelStore store, string name, CancellationToken ct) =>
        AudienceName.Parse(name).TryGetValue(out var audience, out _) && await AudienceStore.GetAsync(store, audience, ct) is not null;

    /// <summary>The saved audience's customer ids; null when there is no audience of that name.</summary>
    public static async Task<IReadOnlySet<string>?> MembersAsync(FlywheelStore store, string name, CancellationToken ct)
    {
        if (!await ExistsAsync(store, name, ct)) return null;
        var members = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in AudienceStore.AllMembersAsync(store, AudienceName.Parse(name).Value, null, ct)) members.Add(id);
        return members;
    }
}
