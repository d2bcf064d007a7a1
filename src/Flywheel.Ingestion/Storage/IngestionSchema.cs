using Flywheel.Storage;

namespace Flywheel.Ingestion.Storage;

/// <summary>
/// Ingestion's own migrations (module "ingestion") on the record's order tables, which it owns (the record's first migrations
/// create them; <see cref="StoreSchema.Record"/>).
/// </summary>
internal static class IngestionSchema
{
    public static readonly MigrationSet Migrations = new(IngestionModule.Name,
    [
        // A guest order has no customer: real exports carry lines without a customer id. It counts in GMV and orders and in no
        // customer-level model. SQLite cannot drop a NOT NULL in place, so the table is copied (both engines, one portable script).
        // Returns are the lines of a return invoice or negative quantities: each matched piece refunds part of one sold line, and
        // a return that matches nothing is kept with order_id NULL, so nothing of the file is lost and it can be reported.
        new(1, "guest orders and returns", """
            CREATE TABLE orders_guest (
                order_id TEXT PRIMARY KEY,
                customer_id TEXT,
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
            INSERT INTO orders_guest (order_id, customer_id, store, channel, status, currency, placed_at, paid_at, shipped_at, completed_at,
                refunded_at, goods_amount, discount_amount, shipping_fee, total_paid, refund_amount, coupon_codes, content_hash, created_at,
                updated_at, ingest_id)
            SELECT order_id, customer_id, store, channel, status, currency, placed_at, paid_at, shipped_at, completed_at,
                refunded_at, goods_amount, discount_amount, shipping_fee, total_paid, refund_amount, coupon_codes, content_hash, created_at,
                updated_at, ingest_id FROM orders;
            DROP TABLE orders;
            ALTER TABLE orders_guest RENAME TO orders;
            CREATE INDEX ix_orders_customer ON orders (customer_id, placed_at);
            CREATE INDEX ix_orders_placed ON orders (placed_at);

            CREATE TABLE order_returns (
                return_id TEXT NOT NULL,
                return_line INTEGER NOT NULL,
                piece INTEGER NOT NULL,
                customer_id TEXT,
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                amount BIGINT NOT NULL CHECK (amount >= 0),
                returned_at BIGINT NOT NULL,
                order_id TEXT,
                line_no INTEGER,
                ingest_id BIGINT,
                PRIMARY KEY (return_id, return_line, piece)
            );
            CREATE INDEX ix_order_returns_order ON order_returns (order_id, line_no);
            """),
    ]);
}
