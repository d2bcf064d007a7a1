using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Experiments.Storage;

/// <summary>
/// A stored experiment: its definition, the salt its assignment hashes with (random, made at creation, never changed), its status
/// (<see cref="ExperimentLifecycle"/>) and times (Unix milliseconds; <see cref="StartedAt"/> and <see cref="StoppedAt"/> null until then).
/// </summary>
internal sealed record StoredExperiment(ExperimentDefinition Definition, string Salt, string Status, long? StartedAt, long? StoppedAt, long CreatedAt, long UpdatedAt)
{
    public string Key => Definition.Key;
}

/// <summary>A unit's first exposure: the variant it got and kept, when, and who exposed it ("api", "cli", "journey:win_back").</summary>
internal sealed record Exposure(string UnitId, string Variant, long ExposedAt, string Source);

/// <summary>
/// The SQL of <c>experiments</c> and <c>experiment_exposures</c>. Status moves are conditional updates (two racing starts cannot both
/// win); an exposure is inserted with ON CONFLICT DO NOTHING on its (experiment, unit) key and read back, so the first variant stored
/// is the one every later call — on any server — answers.
/// </summary>
internal sealed class ExperimentStore(FlywheelStore store)
{
    private const string Columns = "experiment_key, name, salt, definition, status, started_at, stopped_at, created_at, updated_at";

    /// <summary>A new experiment's salt: 16 random bytes as 32 lower-case hex digits.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Stores a new draft with a fresh salt (or <paramref name="salt"/>: the demo's is fixed, so a demo assigns the same customers
    /// the same way every time); a key already taken is a conflict and nothing is written.
    /// </summary>
    public async Task<Result<StoredExperiment>> CreateAsync(ExperimentDefinition definition, long now, CancellationToken ct, string? salt = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var created = new StoredExperiment(definition, salt ?? NewSalt(), ExperimentLifecycle.Draft, null, null, now, now);
        var added = await StoreWrite.RunAsync(store, async write =>
        {
            var n = await write.ExecuteAsync($"INSERT INTO experiments ({Columns}) VALUES (@key, @name, @salt, @definition, @status, NULL, NULL, @now, @now) " +
                "ON CONFLICT (experiment_key) DO NOTHING", ct,
                ("@key", definition.Key), ("@name", definition.Name), ("@salt", created.Salt), ("@definition", DefinitionParser.Write(definition)),
                ("@status", created.Status), ("@now", now));
            await write.CommitAsync(ct);
            return n;
        }, ct);
        return added == 1 ? created : Error.Conflict("$.key", $"an experiment '{definition.Key}' exists already");
    }

    /// <summary>The experiment of that key, or null.</summary>
    public async Task<StoredExperiment?> GetAsync(string key, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM experiments WHERE experiment_key = @key";
        command.AddParameter("@key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Every experiment, newest first.</summary>
    public async Task<IReadOnlyList<StoredExperiment>> ListAsync(CancellationToken ct)
    {
        var list = new List<StoredExperiment>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM experiments ORDER BY created_at DESC, experiment_key";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    /// <summary>
    /// Replaces the definition if <see cref="ExperimentLifecycle.ChangeError"/> allows it in the stored status; the update is
    /// conditional on the row read, so a status move in between is a conflict rather than a lost check.
    /// </summary>
    public Task<Result<StoredExperiment>> UpdateAsync(ExperimentDefinition definition, long now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return StoreWrite.RunAsync(store, async write =>
        {
            var current = await ReadAsync(write, definition.Key, ct);
            if (current is null) return Result<StoredExperiment>.From(NotFound(definition.Key));
            if (ExperimentLifecycle.ChangeError(current.Definition, definition, current.Status) is { } refused) return refused;
            var changed = await write.ExecuteAsync("UPDATE experiments SET name = @name, definition = @definition, updated_at = @now " +
                "WHERE experiment_key = @key AND status = @status AND updated_at = @was", ct,
                ("@name", definition.Name), ("@definition", DefinitionParser.Write(definition)), ("@now", now), ("@key", definition.Key),
                ("@status", current.Status), ("@was", current.UpdatedAt));
            if (changed != 1) return Error.Conflict("$.key", $"experiment '{definition.Key}' changed meanwhile: read it again and retry");
            await write.CommitAsync(ct);
            return current with { Definition = definition, UpdatedAt = now };
        }, ct);
    }

    /// <summary>draft → running, stamping started_at; any other status is a conflict naming it.</summary>
    public Task<Result<StoredExperiment>> StartAsync(string key, long now, CancellationToken ct) =>
        MoveAsync(key, ExperimentLifecycle.Draft, ExperimentLifecycle.Running, "started_at", now, ct);

    /// <summary>running → stopped, stamping stopped_at; any other status is a conflict naming it.</summary>
    public Task<Result<StoredExperiment>> StopAsync(string key, long now, CancellationToken ct) =>
        MoveAsync(key, ExperimentLifecycle.Running, ExperimentLifecycle.Stopped, "stopped_at", now, ct);

    private Task<Result<StoredExperiment>> MoveAsync(string key, string from, string to, string stamp, long now, CancellationToken ct) =>
        StoreWrite.RunAsync(store, async write =>
        {
            var changed = await write.ExecuteAsync($"UPDATE experiments SET status = @to, {stamp} = @now, updated_at = @now WHERE experiment_key = @key AND status = @from", ct,
                ("@to", to), ("@now", now), ("@key", key), ("@from", from));
            var current = await ReadAsync(write, key, ct);
            if (current is null) return Result<StoredExperiment>.From(NotFound(key));
            if (changed != 1)
                return Error.Conflict("status", $"experiment '{key}' is {current.Status}: only a {from} experiment can be {(to == ExperimentLifecycle.Running ? "started" : "stopped")}");
            await write.CommitAsync(ct);
            return current;
        }, ct);

    /// <summary>
    /// Records the unit's exposure to <paramref name="variant"/> unless it has one, and gives the variant stored — the first one
    /// ever recorded, whatever <paramref name="variant"/> says. Safe under any concurrency: the primary key decides.
    /// </summary>
    public async Task<string> RecordExposureAsync(string key, string unit, string variant, string source, long now, CancellationToken ct)
    {
        if (await ExposureAsync(key, unit, ct) is { } existing) return existing.Variant;
        return await StoreWrite.RunAsync(store, async write =>
        {
            await write.ExecuteAsync("INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposed_at, source) VALUES (@key, @unit, @variant, @now, @source) " +
                "ON CONFLICT (experiment_key, unit_id) DO NOTHING", ct, ("@key", key), ("@unit", unit), ("@variant", variant), ("@now", now), ("@source", source));
            var stored = (string)(await write.ScalarAsync("SELECT variant FROM experiment_exposures WHERE experiment_key = @key AND unit_id = @unit", ct,
                ("@key", key), ("@unit", unit)))!;
            await write.CommitAsync(ct);
            return stored;
        }, ct);
    }

    /// <summary>The unit's recorded exposure, or null.</summary>
    public async Task<Exposure?> ExposureAsync(string key, string unit, CancellationToken ct)
    {
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT unit_id, variant, exposed_at, source FROM experiment_exposures WHERE experiment_key = @key AND unit_id = @unit";
        command.AddParameter("@key", key);
        command.AddParameter("@unit", unit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Exposure(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)) : null;
    }

    /// <summary>Every exposure of the experiment, in order of exposure (then unit): what results count per variant.</summary>
    public async Task<IReadOnlyList<Exposure>> ExposuresAsync(string key, CancellationToken ct)
    {
        var list = new List<Exposure>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT unit_id, variant, exposed_at, source FROM experiment_exposures WHERE experiment_key = @key ORDER BY exposed_at, unit_id";
        command.AddParameter("@key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(new Exposure(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        return list;
    }

    /// <summary>Exposed units per experiment and variant (of one experiment when <paramref name="key"/> is given).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> ExposureCountsAsync(string? key, CancellationToken ct)
    {
        var counts = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT experiment_key, variant, COUNT(*) FROM experiment_exposures" + (key is null ? "" : " WHERE experiment_key = @key") +
                              " GROUP BY experiment_key, variant";
        if (key is not null) command.AddParameter("@key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (!counts.TryGetValue(reader.GetString(0), out var variants)) counts[reader.GetString(0)] = variants = new Dictionary<string, long>(StringComparer.Ordinal);
            variants[reader.GetString(1)] = Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture);
        }
        return counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, long>)c.Value, StringComparer.Ordinal);
    }

    private static Error NotFound(string key) => Error.NotFound("key", $"no experiment '{key}'");

    private static async Task<StoredExperiment?> ReadAsync(StoreWrite write, string key, CancellationToken ct)
    {
        await using var command = write.Command($"SELECT {Columns} FROM experiments WHERE experiment_key = @key", ("@key", key));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static StoredExperiment Read(DbDataReader r)
    {
        // The definition was validated when written; a row that no longer parses is a bug (or a hand edit), not bad input.
        var parsed = DefinitionParser.Parse(r.GetString(3));
        if (!parsed.TryGetValue(out var definition, out var error))
            throw new InvalidOperationException($"experiment '{r.GetString(0)}': its stored definition does not parse: {error}");
        return new StoredExperiment(definition, r.GetString(2), r.GetString(4), Long(r, 5), Long(r, 6), r.GetInt64(7), r.GetInt64(8));
    }

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
