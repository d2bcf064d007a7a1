namespace Flywheel.Storage;

/// <summary>
/// The numbered migrations. Written once in a portable subset of SQL; <see cref="SqlDialect.Render"/> fills
/// the few engine-specific tokens ({id} for an auto-increment key, {ordinal_text} for text ordered by code point). Times are BIGINT Unix milliseconds (UTC),
/// money is BIGINT minor units with a currency column, dates are ISO 'yyyy-MM-dd' text. See docs/adr/0001.
/// </summary>
public static class StoreSchema
{
    /// <summary>
    /// The record's own migrations (module "storage"): the commerce data model that the ingest session writes (settings, ingests,
    /// customers, products, orders, events, spend, content) and its indexes. Their versions are the store-wide numbers they had
    /// before modules kept their own sets, so a store made before then adopts them without running anything again (see
    /// <see cref="Migrator"/>). Every other table belongs to a module's own set.
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
        new(10, "event lookups for journeys", """
            CREATE INDEX ix_events_customer_time ON events (customer_id, time);
            CREATE INDEX ix_events_ingest ON events (ingest_id);
            """),
    ]));
}
