using Flywheel.Storage;

namespace Flywheel.Experiments.Storage;

/// <summary>
/// The tables Experiments owns and their numbered migrations (module "experiments"). Times are BIGINT Unix milliseconds.
/// An experiment's definition (variants and weights, traffic, targeting, metrics) is one JSON document, validated on write;
/// an exposure is recorded once per (experiment, unit) by its primary key, so the first variant a unit saw is the one it keeps.
/// </summary>
internal static class ExperimentsSchema
{
    public static readonly MigrationSet Migrations = new(ExperimentsModule.Name,
    [
        new(1, "experiments and exposures", """
            CREATE TABLE experiments (
                experiment_key TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                salt TEXT NOT NULL,
                definition TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped')),
                started_at BIGINT,
                stopped_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE TABLE experiment_exposures (
                experiment_key TEXT NOT NULL REFERENCES experiments (experiment_key),
                unit_id TEXT NOT NULL,
                variant TEXT NOT NULL,
                exposed_at BIGINT NOT NULL,
                source TEXT NOT NULL,
                PRIMARY KEY (experiment_key, unit_id)
            );
            CREATE INDEX ix_experiment_exposures_variant ON experiment_exposures (experiment_key, variant, exposed_at);
            """),
    ]);
}
