using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// A test class's scratch folder under the temp directory (its files and SQLite stores), removed when the class is done, and
/// the CLI arguments of a fresh store on either engine.
/// </summary>
internal sealed class Scratch : IDisposable
{
    public Scratch(string prefix)
    {
        Folder = Path.Combine(Path.GetTempPath(), "flywheel-tests", prefix + "_" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary><c>--data FOLDER</c> of a new SQLite store here, or <c>--db</c> of a new PostgreSQL database.</summary>
    public string[] NewStore(string engine, string name = "store") => engine == TestStores.Sqlite
        ? ["--data", Path.Combine(Folder, name)]
        : ["--db", TestStores.NewLocation(TestStores.Postgres).ConnectionString];

    /// <summary>Writes a file here and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
