using Flywheel.Storage;
using System.Globalization;

namespace Flywheel.Customers.Storage;

/// <summary>
/// A stored CLV fit: when it was made, the calibration end (local date) and unit (week or day) its times are in, the
/// parameters (JSON, owned by Flywheel.Customers.Clv.ClvJson), the BG/NBD log-likelihood and the customers it saw.
/// </summary>
internal sealed record StoredClvFit(long Id, DateTimeOffset FittedAt, DateOnly CalibrationEnd, string Unit, string Parameters, double LogLikelihood,
    long Customers);

/// <summary>The clv_fits table (migration 4): append a fit, read the latest. Plain SQL for SQLite and PostgreSQL.</summary>
internal static class ClvFitStore
{
    /// <summary>Appends a fit made now (by the store's clock) and gives it back with its id.</summary>
    public static async Task<StoredClvFit> AddAsync(FlywheelStore store, DateOnly calibrationEnd, string unit, string parameters, double logLikelihood,
        long customers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        // Stored to the millisecond, so what AddAsync returns equals what LatestAsync reads back.
        var fittedAt = DateTimeOffset.FromUnixTimeMilliseconds(store.Time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO clv_fits (fitted_at, calibration_end, unit, parameters, log_likelihood, customers) " +
                              "VALUES (@fitted_at, @calibration_end, @unit, @parameters, @log_likelihood, @customers) RETURNING id";
        command.AddParameter("@fitted_at", fittedAt.ToUnixTimeMilliseconds());
        command.AddParameter("@calibration_end", calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        command.AddParameter("@unit", unit);
        command.AddParameter("@parameters", parameters);
        command.AddParameter("@log_likelihood", logLikelihood);
        command.AddParameter("@customers", customers);
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return new StoredClvFit(id, fittedAt, calibrationEnd, unit, parameters, logLikelihood, customers);
    }

    /// <summary>The most recent fit (the highest id), or null when none was stored.</summary>
    public static async Task<StoredClvFit?> LatestAsync(FlywheelStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, fitted_at, calibration_end, unit, parameters, log_likelihood, customers FROM clv_fits ORDER BY id DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredClvFit(
            Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            DateOnly.ParseExact(reader.GetString(2), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetDouble(5),
            reader.GetInt64(6));
    }
}
