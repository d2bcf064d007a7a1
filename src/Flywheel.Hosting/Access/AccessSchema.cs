using Flywheel.Storage;

namespace Flywheel.Hosting.Access;

/// <summary>The tables of API access (module "access"): keys, stored as salted hashes, the audit log of writes and exports, and the console's sessions (hashed tokens).</summary>
internal static class AccessSchema
{
    public static readonly MigrationSet Migrations = new(AccessModule.Name,
    [
        new(1, "api keys and audit log", """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                salt TEXT NOT NULL,
                hash TEXT NOT NULL,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'marketer', 'analyst', 'viewer', 'ingest')),
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            );

            CREATE TABLE audit_log (
                id {id},
                at BIGINT NOT NULL,
                key_id TEXT,
                key_name TEXT,
                method TEXT NOT NULL,
                route TEXT NOT NULL,
                target TEXT,
                status INTEGER NOT NULL
            );
            CREATE INDEX ix_audit_log_at ON audit_log (at);
            """),
        new(2, "console sessions", """
            CREATE TABLE console_sessions (
                id TEXT PRIMARY KEY,
                key_id TEXT NOT NULL REFERENCES api_keys (id),
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            );
            CREATE INDEX ix_console_sessions_expires ON console_sessions (expires_at);
            """),
    ]);
}
