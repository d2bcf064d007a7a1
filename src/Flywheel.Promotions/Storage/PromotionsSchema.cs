using Flywheel.Storage;

namespace Flywheel.Promotions.Storage;

/// <summary>
/// The tables Promotions owns and their numbered migrations (module "promotions"). Before modules kept their own sets these
/// were the store-wide migrations 7 and 8; a store that applied them then adopts them (see <see cref="MigrationSet"/>).
/// </summary>
internal static class PromotionsSchema
{
    public static readonly MigrationSet Migrations = new(PromotionsModule.Name,
    [
        // Promotions are stored whole as JSON (owned by Domain.Model.PromotionJson); status is a column so the
        // pricing index can load the active ones without parsing the rest.
        new(1, "promotions", """
            CREATE TABLE promotions (
                id TEXT PRIMARY KEY,
                status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX ix_promotions_status ON promotions (status);
            """, LegacyVersion: 7),
        // Coupon counters (issued, spent, per-customer claims and uses) change only through conditional UPDATEs inside a
        // transaction; the CHECKs are the backstop that makes an over-issue or an over-spend impossible even for a buggy
        // caller. Validity and money are BIGINT (Unix ms, fen). See docs/adr/0006-coupon-redemption.md.
        new(2, "coupons", """
            CREATE TABLE coupon_batches (
                id {ordinal_text} PRIMARY KEY,
                name TEXT NOT NULL,
                spec TEXT NOT NULL,
                total_quantity BIGINT NOT NULL CHECK (total_quantity >= 0),
                issued BIGINT NOT NULL DEFAULT 0 CHECK (issued >= 0 AND issued <= total_quantity),
                redeemed BIGINT NOT NULL DEFAULT 0 CHECK (redeemed >= 0 AND redeemed <= issued),
                budget BIGINT CHECK (budget >= 0),
                spent BIGINT NOT NULL DEFAULT 0 CHECK (spent >= 0 AND (budget IS NULL OR spent <= budget)),
                per_customer_claim_limit INTEGER CHECK (per_customer_claim_limit >= 1),
                per_customer_use_limit INTEGER CHECK (per_customer_use_limit >= 1),
                valid_from BIGINT,
                valid_to BIGINT,
                valid_days_after_claim INTEGER CHECK (valid_days_after_claim >= 1),
                status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
                created_at BIGINT NOT NULL,
                CHECK ((valid_to IS NULL) <> (valid_days_after_claim IS NULL)),
                CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
            );

            CREATE TABLE coupons (
                code {ordinal_text} PRIMARY KEY,
                batch_id {ordinal_text} NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('issued', 'claimed', 'redeemed')),
                customer_id TEXT,
                claimed_at BIGINT,
                valid_from BIGINT,
                valid_to BIGINT,
                order_id TEXT,
                discount BIGINT CHECK (discount >= 0),
                redeemed_at BIGINT,
                CHECK (state = 'issued' OR customer_id IS NOT NULL),
                CHECK ((state = 'redeemed') = (order_id IS NOT NULL AND discount IS NOT NULL AND redeemed_at IS NOT NULL))
            );
            CREATE INDEX ix_coupons_customer ON coupons (customer_id, state) WHERE customer_id IS NOT NULL;

            CREATE TABLE coupon_customer_counts (
                batch_id {ordinal_text} NOT NULL,
                customer_id TEXT NOT NULL,
                claimed BIGINT NOT NULL DEFAULT 0,
                used BIGINT NOT NULL DEFAULT 0,
                claim_limit INTEGER,
                use_limit INTEGER,
                PRIMARY KEY (batch_id, customer_id),
                CHECK (claimed >= 0 AND (claim_limit IS NULL OR claimed <= claim_limit)),
                CHECK (used >= 0 AND (use_limit IS NULL OR used <= use_limit))
            );

            CREATE TABLE coupon_requests (
                idempotency_key {ordinal_text} PRIMARY KEY,
                operation TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                response TEXT,
                created_at BIGINT NOT NULL
            );
            """, LegacyVersion: 8),
    ]);
}
