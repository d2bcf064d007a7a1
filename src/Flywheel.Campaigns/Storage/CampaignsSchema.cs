using Flywheel.Storage;

namespace Flywheel.Campaigns.Storage;

/// <summary>
/// The tables Campaigns owns (journeys, broadcasts and the send queue) and their numbered migrations (module "campaigns"). Each was a store-wide migration before
/// modules kept their own sets (<see cref="Migration.LegacyVersion"/>); a store that applied it then adopts it.
/// </summary>
internal static class CampaignsSchema
{
    public static readonly MigrationSet Migrations = new("campaigns",
    [
        // The campaign engine (journeys, broadcasts, the send queue). Exactly-once rests on the keys, not on callers: a
        // message's idempotency_key is UNIQUE (journey or broadcast, step, customer, occurrence), a journey entry's key is
        // (journey, customer, occurrence), and a frequency cap of N is the N slots of (customer, window) a primary key
        // lets one message each. Workers lease rows (lease_owner, lease_until); a crashed worker's rows come back when
        // the lease runs out. See src/Flywheel.Campaigns/Storage/CampaignStore.cs.
        new(1, "campaigns", """
            CREATE TABLE journeys (
                journey_id {ordinal_text} PRIMARY KEY,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
                version INTEGER NOT NULL CHECK (version >= 1),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );

            CREATE TABLE journey_entries (
                journey_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                occurrence INTEGER NOT NULL CHECK (occurrence >= 1),
                status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'exited')),
                step_id TEXT NOT NULL,
                due_at BIGINT CHECK (due_at >= 0),
                variant TEXT,
                entered_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                exit_reason TEXT,
                context TEXT,
                lease_owner TEXT,
                lease_until BIGINT,
                PRIMARY KEY (journey_id, customer_id, occurrence)
            );
            CREATE INDEX ix_journey_entries_due ON journey_entries (status, due_at);
            CREATE INDEX ix_journey_entries_customer ON journey_entries (customer_id, status);

            CREATE TABLE messages (
                message_id {id},
                idempotency_key TEXT NOT NULL UNIQUE,
                source_kind TEXT NOT NULL CHECK (source_kind IN ('journey', 'broadcast', 'test')),
                source_id TEXT NOT NULL,
                step_id TEXT,
                variant TEXT,
                customer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'transactional')),
                recipient TEXT,
                subject TEXT,
                body_text TEXT,
                body_html TEXT,
                unsubscribe_url TEXT,
                status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'delivered', 'failed', 'dead', 'suppressed', 'cancelled', 'held_out')),
                due_at BIGINT NOT NULL CHECK (due_at >= 0),
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                lease_owner TEXT,
                lease_until BIGINT,
                provider_message_id TEXT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                sent_at BIGINT,
                delivered_at BIGINT,
                opened_at BIGINT,
                clicked_at BIGINT,
                converted_order_id TEXT,
                revenue BIGINT CHECK (revenue >= 0),
                CHECK (status <> 'sending' OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL))
            );
            CREATE INDEX ix_messages_due ON messages (status, due_at);
            CREATE INDEX ix_messages_customer ON messages (customer_id, message_id);
            CREATE INDEX ix_messages_source ON messages (source_kind, source_id, message_id);

            CREATE TABLE message_tokens (
                token TEXT PRIMARY KEY,
                message_id BIGINT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('click', 'unsubscribe')),
                url TEXT,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX ix_message_tokens_message ON message_tokens (message_id);

            CREATE TABLE frequency_slots (
                customer_id TEXT NOT NULL,
                window_key TEXT NOT NULL,
                slot INTEGER NOT NULL CHECK (slot >= 1),
                message_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (customer_id, window_key, slot)
            );
            CREATE INDEX ix_frequency_slots_message ON frequency_slots (message_id);

            CREATE TABLE suppressions (
                channel {ordinal_text} NOT NULL,
                address {ordinal_text} NOT NULL,
                reason TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (channel, address)
            );

            CREATE TABLE broadcasts (
                broadcast_id {ordinal_text} PRIMARY KEY,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('planned', 'planning', 'sending', 'done', 'cancelled')),
                segment TEXT,
                planned BIGINT NOT NULL DEFAULT 0 CHECK (planned >= 0),
                enqueued BIGINT NOT NULL DEFAULT 0 CHECK (enqueued >= 0),
                held_out BIGINT NOT NULL DEFAULT 0 CHECK (held_out >= 0),
                plan_cursor TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            """, LegacyVersion: 9),
    ]);
}
