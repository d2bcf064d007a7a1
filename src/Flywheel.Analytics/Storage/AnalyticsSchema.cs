using Flywheel.Storage;

namespace Flywheel.Analytics.Storage;

/// <summary>
/// The tables Analytics owns (goals and saved audiences) and their numbered migrations (module "analytics"). Each was a store-wide migration before
/// modules kept their own sets (<see cref="Migration.LegacyVersion"/>); a store that applied it then adopts it.
/// </summary>
internal static class AnalyticsSchema
{
    public static readonly MigrationSet Migrations = new("analytics",
    [
        new(1, "goals", """
            CREATE TABLE goals (
                id TEXT PRIMARY KEY,
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            """, LegacyVersion: 2),
        // Members are removed with their audience by AudienceStore inside one transaction, not by a foreign key:
        // SQLite enforces foreign keys only with PRAGMA foreign_keys, which the store does not turn on.
        new(2, "audiences", """
            CREATE TABLE audiences (
                name {ordinal_text} PRIMARY KEY,
                title TEXT,
                kind TEXT NOT NULL,
                definition TEXT NOT NULL,
                member_count BIGINT NOT NULL CHECK (member_count >= 0),
                anonymous_count BIGINT NOT NULL DEFAULT 0 CHECK (anonymous_count >= 0),
                created_at BIGINT NOT NULL,
                refreshed_at BIGINT NOT NULL
            );

            CREATE TABLE audience_members (
                audience_name {ordinal_text} NOT NULL,
                customer_id {ordinal_text} NOT NULL,
                PRIMARY KEY (audience_name, customer_id)
            );
            """, LegacyVersion: 3),
    ]);
}
