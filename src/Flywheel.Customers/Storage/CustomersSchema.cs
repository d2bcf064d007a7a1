using Flywheel.Storage;

namespace Flywheel.Customers.Storage;

/// <summary>
/// The tables Customers owns (CLV fits, lifecycle stages, segments and erasure tombstones) and their numbered migrations (module "customers"). Each was a store-wide migration before
/// modules kept their own sets (<see cref="Migration.LegacyVersion"/>); a store that applied it then adopts it.
/// </summary>
internal static class CustomersSchema
{
    public static readonly MigrationSet Migrations = new("customers",
    [
        new(1, "clv fits", """
            CREATE TABLE clv_fits (
                id {id},
                fitted_at BIGINT NOT NULL,
                calibration_end TEXT NOT NULL,
                unit TEXT NOT NULL CHECK (unit IN ('week', 'day')),
                parameters TEXT NOT NULL,
                log_likelihood DOUBLE PRECISION NOT NULL,
                customers BIGINT NOT NULL CHECK (customers >= 0)
            );
            """, LegacyVersion: 4),
        new(2, "lifecycle", """
            CREATE TABLE customer_stages (
                customer_id TEXT PRIMARY KEY,
                stage TEXT NOT NULL CHECK (stage IN ('prospect', 'new', 'active', 'at_risk', 'lapsed', 'churned', 'reactivated')),
                since BIGINT NOT NULL
            );
            CREATE TABLE lifecycle_transitions (
                id {id},
                customer_id TEXT NOT NULL,
                from_stage TEXT,
                to_stage TEXT NOT NULL,
                at BIGINT NOT NULL,
                as_of TEXT NOT NULL
            );
            CREATE INDEX ix_lifecycle_transitions_at ON lifecycle_transitions (at);
            CREATE INDEX ix_lifecycle_transitions_customer ON lifecycle_transitions (customer_id, at);
            """, LegacyVersion: 6),
        // 3, 4 and 6 are taken by work on other branches; the migrator applies whatever number is missing, in list order.
        new(3, "segments", """
            CREATE TABLE segments (
                name TEXT PRIMARY KEY,
                title TEXT,
                rule TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                member_count BIGINT NOT NULL DEFAULT 0,
                refreshed_at BIGINT
            );

            CREATE TABLE segment_members (
                segment_name TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                entered_at BIGINT NOT NULL,
                PRIMARY KEY (segment_name, customer_id)
            );

            CREATE TABLE segment_membership_changes (
                id {id},
                segment_name TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                change TEXT NOT NULL CHECK (change IN ('entered', 'exited')),
                at BIGINT NOT NULL
            );
            CREATE INDEX ix_segment_membership_changes_segment ON segment_membership_changes (segment_name, id);
            """, LegacyVersion: 5),
        // 4 and 6 may still come from other branches. A forgotten customer keeps their row (the pseudonymous key of orders and
        // events) with personal columns blanked; this tombstone says that and when (docs/security.md, "Forgetting a customer").
        new(7, "customer erasures", """
            CREATE TABLE customer_erasures (
                customer_id TEXT PRIMARY KEY,
                forgotten_at BIGINT NOT NULL,
                last_forgotten_at BIGINT NOT NULL,
                erased BIGINT NOT NULL CHECK (erased >= 0)
            );
            """),
    ]);
}
