namespace Flywheel.Storage;

/// <summary>
/// The numbered migrations. Written once in a portable subset of SQL; <see cref="SqlDialect.Render"/> fills
/// the few engine-specific tokens ({id} for an auto-increment key, {ordinal_text} for text ordered by code point). Times are BIGINT Unix milliseconds (UTC),
/// money is BIGINT minor units with a currency column, dates are ISO 'yyyy-MM-dd' text. See docs/adr/0001.
/// </summary>
public static class StoreSchema
{
    /// <summary>
    /// The record's own migrations (module "storage"): the commerce data model and the tables of the modules not yet moved into
    /// their own projects. Their versions are the store-wide numbers they had before modules kept their own sets, so a store
    /// made before the move adopts them without running anything again (see <see cref="Migrator"/>).
    /// </summary>
    public static readonly MigrationSet Record = new("storage", MigrationSet.SameLegacyNumbers(
    [
        new(1, "commerce data model", """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );

            CREATE TABLE ingests (
                id {id},
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT,
                rows_read BIGINT NOT NULL DEFAULT 0,
                inserted BIGINT NOT NULL DEFAULT 0,
                updated BIGINT NOT NULL DEFAULT 0,
                unchanged BIGINT NOT NULL DEFAULT 0,
                rejected BIGINT NOT NULL DEFAULT 0
            );

            CREATE TABLE customers (
                customer_id TEXT PRIMARY KEY,
                name TEXT,
                gender TEXT CHECK (gender IN ('male', 'female', 'unknown')),
                birth_date TEXT,
                province TEXT,
                city TEXT,
                city_tier TEXT,
                signup_channel TEXT,
                signup_at BIGINT,
                member_tier TEXT,
                time_zone TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                ingest_id BIGINT
            );

            CREATE TABLE customer_identities (
                kind TEXT NOT NULL,
                value TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (kind, value)
            );
            CREATE INDEX ix_customer_identities_customer ON customer_identities (customer_id);

            CREATE TABLE customer_consents (
                customer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'transactional')),
                status TEXT NOT NULL CHECK (status IN ('granted', 'withdrawn')),
                changed_at BIGINT NOT NULL,
                source TEXT NOT NULL,
                PRIMARY KEY (customer_id, channel, purpose)
            );

            CREATE TABLE consent_history (
                id {id},
                customer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                purpose TEXT NOT NULL,
                status TEXT NOT NULL,
                changed_at BIGINT NOT NULL,
                source TEXT NOT NULL
            );
            CREATE INDEX ix_consent_history_customer ON consent_history (customer_id);

            CREATE TABLE products (
                sku TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                category TEXT NOT NULL,
                brand TEXT,
                list_price BIGINT NOT NULL CHECK (list_price >= 0),
                cost BIGINT CHECK (cost >= 0),
                currency TEXT NOT NULL,
                store TEXT,
                tags TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                ingest_id BIGINT
            );

            CREATE TABLE orders (
                order_id TEXT PRIMARY KEY,
                customer_id TEXT NOT NULL,
                store TEXT,
                channel TEXT,
                status TEXT NOT NULL,
                currency TEXT NOT NULL,
                placed_at BIGINT NOT NULL,
                paid_at BIGINT,
                shipped_at BIGINT,
                completed_at BIGINT,
                refunded_at BIGINT,
                goods_amount BIGINT NOT NULL CHECK (goods_amount >= 0),
                discount_amount BIGINT NOT NULL CHECK (discount_amount >= 0),
                shipping_fee BIGINT NOT NULL CHECK (shipping_fee >= 0),
                total_paid BIGINT NOT NULL CHECK (total_paid >= 0),
                refund_amount BIGINT NOT NULL CHECK (refund_amount >= 0),
                coupon_codes TEXT,
                content_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                ingest_id BIGINT
            );
            CREATE INDEX ix_orders_customer ON orders (customer_id, placed_at);
            CREATE INDEX ix_orders_placed ON orders (placed_at);

            CREATE TABLE order_lines (
                order_id TEXT NOT NULL,
                line_no INTEGER NOT NULL,
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                unit_list_price BIGINT NOT NULL CHECK (unit_list_price >= 0),
                unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
                line_discount BIGINT NOT NULL CHECK (line_discount >= 0),
                paid_amount BIGINT NOT NULL CHECK (paid_amount >= 0),
                refunded_quantity INTEGER NOT NULL CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity),
                refund_amount BIGINT NOT NULL CHECK (refund_amount >= 0),
                PRIMARY KEY (order_id, line_no)
            );
            CREATE INDEX ix_order_lines_sku ON order_lines (sku);

            CREATE TABLE events (
                event_id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                time BIGINT NOT NULL,
                customer_id TEXT,
                anonymous_id TEXT,
                channel TEXT,
                source TEXT,
                medium TEXT,
                campaign TEXT,
                content TEXT,
                term TEXT,
                kol_id TEXT,
                sku TEXT,
                value BIGINT,
                properties TEXT,
                ingest_id BIGINT,
                CHECK (customer_id IS NOT NULL OR anonymous_id IS NOT NULL)
            );
            CREATE INDEX ix_events_unstitched ON events (anonymous_id) WHERE customer_id IS NULL;

            CREATE TABLE identity_links (
                anonymous_id TEXT PRIMARY KEY,
                customer_id TEXT NOT NULL,
                linked_at BIGINT NOT NULL,
                source_event_id TEXT
            );

            CREATE TABLE ad_spend (
                date TEXT NOT NULL,
                channel TEXT NOT NULL,
                campaign TEXT NOT NULL,
                ad_group TEXT NOT NULL,
                impressions BIGINT CHECK (impressions >= 0),
                clicks BIGINT CHECK (clicks >= 0),
                cost BIGINT NOT NULL CHECK (cost >= 0),
                currency TEXT NOT NULL,
                ingest_id BIGINT,
                PRIMARY KEY (date, channel, campaign, ad_group)
            );

            CREATE TABLE content_posts (
                post_id TEXT PRIMARY KEY,
                kol_id TEXT NOT NULL,
                kol_name TEXT,
                kol_tier TEXT,
                channel TEXT NOT NULL,
                published_at BIGINT NOT NULL,
                cost BIGINT NOT NULL CHECK (cost >= 0),
                currency TEXT NOT NULL
            );
            """),
        new(2, "goals", """
            CREATE TABLE goals (
                id TEXT PRIMARY KEY,
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            """),
        // Members are removed with their audience by AudienceStore inside one transaction, not by a foreign key:
        // SQLite enforces foreign keys only with PRAGMA foreign_keys, which the store does not turn on.
        new(3, "audiences", """
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
            """),
        new(6, "lifecycle", """
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
            """),
        // Migration 3 belongs to another branch; Migrator applies whichever numbers a store lacks, in list order, so a
        // gap is harmless (a store migrated here gets 3 later, after 4: the two touch different tables).
        new(4, "clv fits", """
            CREATE TABLE clv_fits (
                id {id},
                fitted_at BIGINT NOT NULL,
                calibration_end TEXT NOT NULL,
                unit TEXT NOT NULL CHECK (unit IN ('week', 'day')),
                parameters TEXT NOT NULL,
                log_likelihood DOUBLE PRECISION NOT NULL,
                customers BIGINT NOT NULL CHECK (customers >= 0)
            );
            """),
        // 3, 4 and 6 are taken by work on other branches; the migrator applies whatever number is missing, in list order.
        new(5, "segments", """
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
            """),
        // The campaign engine (journeys, broadcasts, the send queue). Exactly-once rests on the keys, not on callers: a
        // message's idempotency_key is UNIQUE (journey or broadcast, step, customer, occurrence), a journey entry's key is
        // (journey, customer, occurrence), and a frequency cap of N is the N slots of (customer, window) a primary key
        // lets one message each. Workers lease rows (lease_owner, lease_until); a crashed worker's rows come back when
        // the lease runs out. See src/Flywheel.Storage/Campaigns/CampaignStore.cs.
        new(9, "campaigns", """
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
            """),
        new(10, "event lookups for journeys", """
            CREATE INDEX ix_events_customer_time ON events (customer_id, time);
            CREATE INDEX ix_events_ingest ON events (ingest_id);
            """),
    ]));
}
