using Flywheel.Storage;

namespace Flywheel.Grow.Storage;

/// <summary>
/// The tables Grow owns and their numbered migrations (module "grow"). Money is BIGINT fen, times BIGINT Unix milliseconds;
/// every count has a CHECK that keeps it from going negative. Numbers while the module is built in parallel: 1 creators,
/// 2 lifecycle stages of channels (the matrix), 3 collaborations, 4 content items and trial programmes, 5 tracking links and clicks.
/// </summary>
internal static class GrowSchema
{
    public static readonly MigrationSet Migrations = new(GrowModule.Name,
    [
        // Creators: one row per creator (KOL/KOC/素人) the brand works with; creator_id is the kol_id events carry.
        new(1, "creators", """
            CREATE TABLE grow_creators (
                creator_id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                platform TEXT NOT NULL,
                followers BIGINT NOT NULL CHECK (followers >= 0),
                tier TEXT NOT NULL CHECK (tier IN ('head', 'mid', 'tail', 'koc', 'amateur')),
                category TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            """),
        // Lifecycle stages of channels: the brand's own assignment of a channel to a stage; a channel without a row serves its
        // default stage (Domain/Matrix/ChannelStages.cs).
        new(2, "channel stages", """
            CREATE TABLE grow_channel_stages (
                channel TEXT PRIMARY KEY,
                stage TEXT NOT NULL CHECK (stage IN ('awareness', 'interest', 'decision', 'repurchase', 'loyalty')),
                updated_at BIGINT NOT NULL
            );
            """),
        // Collaborations: a deal with one creator (fee, commission in basis points of the GMV attributed to it), with its exclusive
        // tracking link (a code of the links table, set when links exist) and its exclusive coupon code (issued by the coupon ledger).
        new(3, "collaborations", """
            CREATE TABLE grow_collaborations (
                collab_id TEXT PRIMARY KEY,
                creator_id TEXT NOT NULL REFERENCES grow_creators (creator_id),
                title TEXT NOT NULL,
                fee BIGINT NOT NULL CHECK (fee >= 0),
                commission_bp INTEGER NOT NULL CHECK (commission_bp >= 0 AND commission_bp <= 10000),
                deliverables TEXT,
                posting_at BIGINT NOT NULL,
                link_code TEXT,
                coupon_code TEXT UNIQUE,
                status TEXT NOT NULL CHECK (status IN ('planned', 'contracted', 'posted', 'settled', 'cancelled')),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX ix_grow_collaborations_creator ON grow_collaborations (creator_id, posting_at);
            """),
        // Content items with their platform metrics (imported from CSV), and trial-ambassador programmes (产品体验官) with their applicants.
        new(4, "content items and trial programmes", """
            CREATE TABLE grow_content (
                content_id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('note', 'short_video', 'long_video', 'live', 'topic', 'ugc')),
                platform TEXT NOT NULL,
                published_at BIGINT NOT NULL,
                owner TEXT NOT NULL CHECK (owner IN ('brand', 'kol', 'koc', 'customer')),
                creator_id TEXT,
                stage TEXT NOT NULL,
                cost BIGINT NOT NULL CHECK (cost >= 0),
                views BIGINT NOT NULL CHECK (views >= 0),
                likes BIGINT NOT NULL CHECK (likes >= 0),
                comments BIGINT NOT NULL CHECK (comments >= 0),
                saves BIGINT NOT NULL CHECK (saves >= 0),
                shares BIGINT NOT NULL CHECK (shares >= 0),
                live_watchers BIGINT NOT NULL CHECK (live_watchers >= 0),
                platform_gmv BIGINT NOT NULL CHECK (platform_gmv >= 0),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE TABLE grow_trials (
                trial_id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                sku TEXT NOT NULL,
                seats INTEGER NOT NULL CHECK (seats > 0),
                unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
                starts_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                created_at BIGINT NOT NULL,
                CHECK (ends_on >= starts_on)
            );
            CREATE TABLE grow_trial_applicants (
                trial_id TEXT NOT NULL,
                applicant_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('customer', 'koc')),
                status TEXT NOT NULL CHECK (status IN ('applied', 'selected', 'rejected', 'shipped', 'posted')),
                content_id TEXT,
                applied_at BIGINT NOT NULL,
                decided_at BIGINT,
                shipped_at BIGINT,
                posted_at BIGINT,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (trial_id, applicant_id),
                CHECK ((status = 'posted') = (content_id IS NOT NULL))
            );
            """),
        // Tracking links and their clicks: a link is a short code (/l/{code}) leading to an allow-listed destination with UTM;
        // a click is one visit of /l/{code} by a browser, known by its first-party anonymous id; forwarded = its click event is in
        // the record (written after the redirect, in bulk: see ClickRecorder).
        new(5, "tracking links and clicks", """
            CREATE TABLE grow_links (
                code TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('link', 'package_card')),
                name TEXT,
                destination TEXT NOT NULL,
                target TEXT NOT NULL,
                channel TEXT,
                source TEXT,
                medium TEXT,
                campaign TEXT,
                content TEXT,
                term TEXT,
                creator_id TEXT,
                collab_id TEXT,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE grow_link_clicks (
                click_id TEXT PRIMARY KEY,
                code TEXT NOT NULL REFERENCES grow_links (code),
                at BIGINT NOT NULL,
                anonymous_id TEXT NOT NULL,
                customer_id TEXT,
                referrer TEXT,
                user_agent TEXT,
                forwarded INTEGER NOT NULL DEFAULT 0 CHECK (forwarded IN (0, 1))
            );
            CREATE INDEX ix_grow_link_clicks_code ON grow_link_clicks (code, at);
            CREATE INDEX ix_grow_link_clicks_unforwarded ON grow_link_clicks (at) WHERE forwarded = 0;
            CREATE INDEX ix_grow_link_clicks_anonymous ON grow_link_clicks (anonymous_id);
            """),
    ]);
}
