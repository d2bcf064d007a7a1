namespace Flywheel.Storage;

/// <summary>
/// One schema change of a module: its number within the module, a name, and SQL in the portable subset that
/// <see cref="SqlDialect.Render"/> fills in. <see cref="LegacyVersion"/> is the store-wide number the same change had before
/// each module kept its own set: a store that applied it under that number adopts it instead of running it again.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql, int? LegacyVersion = null);

/// <summary>
/// The numbered migrations of one module (its tables and nothing else), applied in list order. Module names are stable
/// keys in the store's <c>module_migrations</c> table: renaming one would apply its set again.
/// </summary>
public sealed record MigrationSet(string Module, IReadOnlyList<Migration> Migrations)
{
    /// <summary>The migrations with <see cref="Migration.LegacyVersion"/> equal to their own number.</summary>
    public static IReadOnlyList<Migration> SameLegacyNumbers(IReadOnlyList<Migration> migrations) =>
        [.. migrations.Select(m => m with { LegacyVersion = m.Version })];

    /// <summary>The tables this set creates (CREATE TABLE names), lower case: the tables the module owns.</summary>
    public IReadOnlyList<string> Tables() =>
        [.. Migrations.SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.Sql, @"CREATE TABLE (?:IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_]*)")
            .Select(match => match.Groups[1].Value.ToLowerInvariant())).Distinct()];
}
