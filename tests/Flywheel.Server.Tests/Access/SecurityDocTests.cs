using Flywheel.Hosting.Access;

namespace Flywheel.Server.Tests.Access;

/// <summary>docs/security.md's roles table says what the code grants: each row's ticks are <see cref="Roles.Grants"/>.</summary>
public sealed class SecurityDocTests
{
    [Fact]
    public void RolesTable_MatchesTheGrantsInTheCode()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Flywheel.slnx"))) dir = dir.Parent;
        var doc = File.ReadAllLines(Path.Combine(dir!.FullName, "docs", "security.md"));
        var header = doc.Single(l => l.StartsWith("| permission |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[3..^1];
        Assert.Equal(Roles.All, header);
        var rows = doc.Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToList();
        Assert.Equal(Permission.All, rows.Select(r => r[1].Trim('`')));
        foreach (var row in rows)
            for (var i = 0; i < Roles.All.Count; i++)
                Assert.True((row[3 + i] == "✓") == Roles.Allows(Roles.All[i], row[1].Trim('`')), $"{row[1]} for {Roles.All[i]}: the doc and the code disagree");
    }
}
