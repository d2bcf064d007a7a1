using System.Data.Common;
using System.Globalization;
using Flywheel.Grow.Domain.Trials;
using Flywheel.Primitives;
using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>The trial programmes' SQL (grow_trials, grow_trial_applicants). Moves are conditional updates, so two racing moves cannot both win.</summary>
internal sealed class TrialStore(FlywheelStore store)
{
    private const string TrialColumns = "trial_id, name, sku, seats, unit_cost, starts_on, ends_on, status, created_at";
    private const string ApplicantColumns = "trial_id, applicant_id, kind, status, content_id, applied_at, decided_at, shipped_at, posted_at";

    public Task<Result<Trial>> CreateAsync(Trial trial, CancellationToken ct) =>
        StoreWrite.RunAsync(store, async write =>
        {
            if (await write.ScalarAsync("SELECT COUNT(*) FROM grow_trials WHERE trial_id = @id", ct, ("@id", trial.TrialId)) is { } n && Convert.ToInt64(n, CultureInfo.InvariantCulture) > 0)
                return Result<Trial>.From(Error.Conflict("trial_id", $"a programme '{trial.TrialId}' exists already"));
            await write.ExecuteAsync($"INSERT INTO grow_trials ({TrialColumns}) VALUES (@id, @name, @sku, @seats, @cost, @starts, @ends, @status, @now)", ct,
                ("@id", trial.TrialId), ("@name", trial.Name), ("@sku", trial.Sku), ("@seats", trial.Seats), ("@cost", trial.UnitCost),
                ("@starts", Text(trial.StartsOn)), ("@ends", Text(trial.EndsOn)), ("@status", trial.Status), ("@now", trial.CreatedAt));
            await write.CommitAsync(ct);
            return Result<Trial>.Success(trial);
        }, ct);

    public async Task<IReadOnlyList<Trial>> ListAsync(CancellationToken ct)
    {
        var trials = new List<Trial>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TrialColumns} FROM grow_trials ORDER BY starts_on, trial_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) trials.Add(ReadTrial(reader));
        return trials;
    }

    public async Task<Trial?> GetAsync(string trialId, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(t => t.TrialId == trialId);

    public async Task<IReadOnlyList<TrialApplicant>> ApplicantsAsync(string? trialId, CancellationToken ct)
    {
        var applicants = new List<TrialApplicant>();
        await using var connection = await store.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ApplicantColumns} FROM grow_trial_applicants" + (trialId is null ? "" : " WHERE trial_id = @id") + " ORDER BY trial_id, applied_at, applicant_id";
        if (trialId is not null) command.AddParameter("@id", trialId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            applicants.Add(new TrialApplicant(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Text(reader, 4), reader.GetInt64(5),
                Long(reader, 6), Long(reader, 7), Long(reader, 8)));
        return applicants;
    }

    public Task<Result<TrialApplicant>> ApplyAsync(string trialId, string applicantId, string kind, long now, CancellationToken ct) =>
        StoreWrite.RunAsync(store, async write =>
        {
            var status = await write.ScalarAsync("SELECT status FROM grow_trials WHERE trial_id = @id", ct, ("@id", trialId)) as string;
            if (status is null) return Result<TrialApplicant>.From(Error.NotFound("trial_id", $"no programme '{trialId}'"));
            if (status != "open") return Result<TrialApplicant>.From(Error.Conflict("trial_id", $"programme '{trialId}' is {status}: it takes no applications"));
            if (await write.ScalarAsync("SELECT COUNT(*) FROM grow_trial_applicants WHERE trial_id = @t AND applicant_id = @a", ct, ("@t", trialId), ("@a", applicantId)) is { } n
                && Convert.ToInt64(n, CultureInfo.InvariantCulture) > 0)
                return Result<TrialApplicant>.From(Error.Conflict("applicant_id", $"'{applicantId}' has applied to '{trialId}' already"));
            await write.ExecuteAsync($"INSERT INTO grow_trial_applicants ({ApplicantColumns}, updated_at) VALUES (@t, @a, @kind, 'applied', NULL, @now, NULL, NULL, NULL, @now)", ct,
                ("@t", trialId), ("@a", applicantId), ("@kind", kind), ("@now", now));
            await write.CommitAsync(ct);
            return Result<TrialApplicant>.Success(new TrialApplicant(trialId, applicantId, kind, TrialRules.Applied, null, now, null, null, null));
        }, ct);

    /// <summary>
    /// Moves an applicant to <paramref name="to"/> if they are where that move starts (<see cref="TrialRules.From"/>); selecting also needs a
    /// free seat. Gives the applicant as stored after the move.
    /// </summary>
    public Task<Result<TrialApplicant>> MoveAsync(string trialId, string applicantId, string to, string? contentId, long now, CancellationToken ct) =>
        StoreWrite.RunAsync(store, async write =>
        {
            var seatsValue = await write.ScalarAsync("SELECT seats FROM grow_trials WHERE trial_id = @id", ct, ("@id", trialId));
            if (seatsValue is null) return Result<TrialApplicant>.From(Error.NotFound("trial_id", $"no programme '{trialId}'"));
            var current = await write.ScalarAsync("SELECT status FROM grow_trial_applicants WHERE trial_id = @t AND applicant_id = @a", ct, ("@t", trialId), ("@a", applicantId)) as string;
            if (current is null) return Result<TrialApplicant>.From(Error.NotFound("applicant_id", $"'{applicantId}' has not applied to '{trialId}'"));
            var from = TrialRules.From[to];
            if (current != from)
                return Result<TrialApplicant>.From(Error.Conflict("status", $"'{applicantId}' is {current}: only an applicant who is {from} can be {to}"));
            if (to == TrialRules.Selected)
            {
                var taken = Convert.ToInt64(await write.ScalarAsync("SELECT COUNT(*) FROM grow_trial_applicants WHERE trial_id = @t AND status IN ('selected', 'shipped', 'posted')",
                    ct, ("@t", trialId)), CultureInfo.InvariantCulture);
                var seats = Convert.ToInt64(seatsValue, CultureInfo.InvariantCulture);
                if (taken >= seats) return Result<TrialApplicant>.From(Error.Conflict("status", $"all {seats} seats of '{trialId}' are taken"));
            }
            var stamp = to switch
            {
                TrialRules.Shipped => "shipped_at",
                TrialRules.Posted => "posted_at",
                _ => "decided_at",
            };
            var changed = await write.ExecuteAsync($"UPDATE grow_trial_applicants SET status = @to, {stamp} = @now, content_id = @content, updated_at = @now " +
                                                   "WHERE trial_id = @t AND applicant_id = @a AND status = @from", ct,
                ("@to", to), ("@now", now), ("@content", contentId), ("@t", trialId), ("@a", applicantId), ("@from", from));
            if (changed != 1) return Result<TrialApplicant>.From(Error.Conflict("status", $"'{applicantId}' moved meanwhile: try again"));
            await write.CommitAsync(ct);
            return Result<TrialApplicant>.Success((await ApplicantsAsync(trialId, ct)).Single(a => a.ApplicantId == applicantId));
        }, ct);

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static Trial ReadTrial(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
        r.GetInt64(4), DateOnly.ParseExact(r.GetString(5), "yyyy-MM-dd", CultureInfo.InvariantCulture), DateOnly.ParseExact(r.GetString(6), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        r.GetString(7), r.GetInt64(8));
}
