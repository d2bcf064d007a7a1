using Npgsql;

namespace Flywheel.Storage;

public enum SqlEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where the record lives: a SQLite file in a data folder (the embedded default) or a PostgreSQL database.
/// </summary>
public sealed record StoreLocation(SqlEngine Engine, string ConnectionString, string Description)
{
    public const string DefaultDataFolder = "./flywheel-data";
    public const string DatabaseFileName = "flywheel.db";
    public const string EnvironmentVariable = "FLYWHEEL_DB";

    /// <summary>The data folder that holds the SQLite file; null for PostgreSQL.</summary>
    public string? DataFolder { get; init; }

    public static StoreLocation Sqlite(string dataFolder)
    {
        var folder = Path.GetFullPath(dataFolder);
        var file = Path.Combine(folder, DatabaseFileName);
        return new StoreLocation(SqlEngine.Sqlite, $"Data Source={file};Pooling=True", $"SQLite {file}") { DataFolder = folder };
    }

    public static StoreLocation Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new StoreLocation(SqlEngine.Postgres, connectionString, $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>
    /// <paramref name="db"/> (the --db option) wins, then the FLYWHEEL_DB environment variable, then the SQLite
    /// file in <paramref name="dataFolder"/> (default ./flywheel-data).
    /// </summary>
    public static StoreLocation Resolve(string? dataFolder, string? db, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var connection = !string.IsNullOrWhiteSpace(db) ? db : environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(connection) && dataFolder is null)
            return Postgres(connection);
        return Sqlite(dataFolder ?? DefaultDataFolder);
    }
}
