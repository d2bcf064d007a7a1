using System.Globalization;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Ingestion.Demo;

/// <summary>
/// The demo store's generative model, one instance per build. It streams: each customer's whole history (signup,
/// anonymous visits before it, purchases, browsing, reviews) is generated and written before the next, so memory
/// stays flat at any size. Single-threaded by design: one random stream in a fixed order is what makes a seed
/// reproduce the same store.
/// </summary>
internal sealed class DemoBuilder
{
    // BG/NBD generating parameters (per week). With customers joining through the window these give a
    // repurchase rate of roughly a quarter to a third of buyers, typical of a brand's own flagship.
    internal const double BgNbdR = 0.2;
    internal const double BgNbdAlpha = 4.0;
    internal const double BgNbdA = 0.8;
    internal const double BgNbdB = 2.5;
    // Gamma-Gamma spend per transaction (yuan): mean p·γ/(q−1) = 216.
    internal const double SpendP = 6.0;
    internal const double SpendQ = 3.5;
    internal const double SpendGamma = 90.0;
    internal const double BuyerShare = 0.6;
    internal const int AnonymousVisitorsPerCustomer = 14;

    private const long DayMs = 86_400_000L;
    private const long MinuteMs = 60_000L;
    // China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for Asia/Shanghai.
    private static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly IngestSession _session;
    private readonly DemoOptions _options;
    private readonly IProgress<string>? _progress;
    private readonly CancellationToken _ct;
    private readonly DemoChannel[] _channels = DemoCatalog.Channels;
    private readonly int _days;
    private readonly DateOnly _firstDay;
    private readonly DateOnly _lastDay;
    private readonly long _startMs;
    private readonly long _endMs;
    private readonly DateOnly[] _dates;
    private readonly double[] _clock;            // warped (seasonal) time at the start of each day, in days; length days + 1
    private readonly double[] _arrivalCumulative; // where new visitors and customers arrive, by day
    private readonly double[] _shareCumulative;
    private readonly double[] _firstPurchaseCumulative;
    private readonly double[] _repeatCumulative;
    private readonly long[,] _paidSessions;
    private readonly long[,] _paidTermSessions;   // [day, search term]: baidu cpc sessions by keyword, for the spend rows' ad groups
    private readonly List<Product> _products = [];
    private readonly List<int>[] _productsByCategory;
    private readonly double[][] _popularityByCategory;
    private readonly List<Post> _posts = [];
    private readonly PostDay[][] _postDays;       // [channel][day], empty for channels without KOLs
    private readonly double[] _meanPostMass;

    private long _events, _orders, _orderLines, _identified, _spendRows;
    // Ids are numbered within their customer or visitor, so a change in one history (the clock cutting a session
    // short) never renumbers another's.
    private string _eventPrefix = "";
    private int _eventInEntity;

    public DemoBuilder(IngestSession session, DemoOptions options, DateTimeOffset now, IProgress<string>? progress, CancellationToken ct)
    {
        _session = session;
        _options = options;
        _progress = progress;
        _ct = ct;
        _days = options.Days;
        var local = now.ToOffset(ShanghaiOffset);
        _lastDay = DateOnly.FromDateTime(local.Date);
        _firstDay = _lastDay.AddDays(-(_days - 1));
        _startMs = new DateTimeOffset(_firstDay.ToDateTime(TimeOnly.MinValue), ShanghaiOffset).ToUnixTimeMilliseconds();
        _endMs = Math.Min(now.ToUnixTimeMilliseconds(), _startMs + _days * DayMs);

        _dates = new DateOnly[_days];
        _clock = new double[_days + 1];
        var arrival = new double[_days];
        var yearMean = DemoSeasonality.YearMean(_lastDay);
        for (var d = 0; d < _days; d++)
        {
            _dates[d] = _firstDay.AddDays(d);
            // Whole days, even today: how far today has run must not move anything else in the store.
            var intensity = DemoSeasonality.Index(_dates[d]) / yearMean;
            _clock[d + 1] = _clock[d] + intensity;
            // A growing brand: arrivals rise by half over a year.
            arrival[d] = intensity * (1.0 + 0.5 * d / 365.0);
        }
        _arrivalCumulative = DemoRandom.Cumulative(arrival);
        _shareCumulative = DemoRandom.Cumulative(_channels.Select(c => c.TrafficShare).ToArray());
        _firstPurchaseCumulative = DemoRandom.Cumulative(_channels.Select(c => c.TrafficShare * c.ConversionLift).ToArray());
        _repeatCumulative = DemoRandom.Cumulative(_channels.Select(c => c.TrafficShare * c.RepeatAffinity).ToArray());
        _paidSessions = new long[_channels.Length, _days];
        _paidTermSessions = new long[_days, DemoCatalog.SearchTerms.Length];
        _productsByCategory = DemoCatalog.Categories.Select(_ => new List<int>()).ToArray();
        _popularityByCategory = new double[DemoCatalog.Categories.Length][];
        _postDays = new PostDay[_channels.Length][];
        _meanPostMass = new double[_channels.Length];
    }

    public long RowsWritten { get; private set; }

    public DemoSummary Build()
    {
        _progress?.Report($"window {_firstDay:yyyy-MM-dd} .. {_lastDay:yyyy-MM-dd} (Asia/Shanghai)");
        WriteProducts(DemoRandom.Derive(_options.Seed, 1));
        WritePosts(DemoRandom.Derive(_options.Seed, 2));
        WriteCustomers();
        WriteAnonymousVisitors();
        WriteSpend(DemoRandom.Derive(_options.Seed, 5));
        return new DemoSummary(_options.Customers, _products.Count, _events, _orders, _orderLines, _spendRows, _posts.Count, _identified, Parameters());
    }

    private DemoParameters Parameters() => new(
        "flywheel-demo/1",
        _options.Seed,
        _options.Customers,
        _days,
        _firstDay.ToString("yyyy-MM-dd", Invariant),
        _lastDay.ToString("yyyy-MM-dd", Invariant),
        "Asia/Shanghai",
        BuyerShare,
        new BgNbdParameters(BgNbdR, BgNbdAlpha, BgNbdA, BgNbdB, "week"),
        new GammaGammaParameters(SpendP, SpendQ, SpendGamma, "yuan",
            "each order's target value is drawn from the customer's Gamma-Gamma distribution; real baskets are built from catalogue " +
            "products near that target and then discounted, so the realised order values follow it only approximately"),
        "a buyer's first order (the BG/NBD trial) falls at or after signup; repeat orders follow BG/NBD. Orders with status paid, shipped, " +
        "completed, refunded or partially_refunded are the process's transactions; cancelled and pending orders are abandoned checkouts outside it",
        "BG/NBD runs on a seasonal clock: a day's purchase intensity is its 618/双11/双12 and weekday index divided by the index's mean over " +
        "the year ending on the last day, so λ keeps its meaning as purchases per average week");

    // ---------------------------------------------------------------- products

    private void WriteProducts(DemoRandom random)
    {
        var total = 300 + Math.Min(300, _options.Customers / 250);
        var categories = DemoCatalog.Categories;
        for (var c = 0; c < categories.Length; c++)
        {
            var category = categories[c];
            var count = Math.Max(20, (int)Math.Round(total * category.Share));
            var popularity = new double[count];
            for (var i = 0; i < count; i++)
            {
                var sub = random.Int(category.Subcategories.Length);
                var brand = random.Pick(category.Brands);
                var logMin = Math.Log(category.MinPriceFen);
                var logMax = Math.Log(category.MaxPriceFen);
                var yuan = (long)Math.Round(Math.Exp(logMin + (logMax - logMin) * random.Uniform()) / 100);
                yuan = Math.Max(9, yuan / 10 * 10 + 9); // 59, 129, 1999: shelf prices end in 9
                var listPrice = yuan * 100;
                var cost = (long)(listPrice * category.CostRatio * (0.85 + 0.3 * random.Uniform()));
                var sku = $"{category.Code.ToUpperInvariant()}-{i + 1:D4}";
                var variant = (i % 3) switch { 0 => "标准装", 1 => "升级款", _ => "礼盒装" };
                var tags = random.Pick(category.Tags);
                if (random.Chance(0.4)) tags += "|" + random.Pick(category.Tags);
                var row = new ProductRow
                {
                    Sku = sku,
                    Name = $"{brand} {category.Nouns[sub]} {variant}",
                    Category = $"{category.Name}>{category.Subcategories[sub]}",
                    ListPrice = listPrice,
                    Present = ProductFields.Brand | ProductFields.Cost | ProductFields.Store | ProductFields.Tags,
                    Brand = brand,
                    Cost = cost,
                    Store = category.Store,
                    Tags = string.Join('|', tags.Split('|').Distinct()),
                };
                _session.UpsertProduct(row);
                RowsWritten++;
                _productsByCategory[c].Add(_products.Count);
                _products.Add(new Product(sku, c, listPrice, category.Store));
                // A long tail: a few best sellers and many slow movers.
                popularity[i] = 1.0 / Math.Pow(i + 1, 0.8);
            }
            // The popularity rank is shuffled so best sellers are not always the first SKUs.
            for (var i = count - 1; i > 0; i--)
            {
                var j = random.Int(i + 1);
                (popularity[i], popularity[j]) = (popularity[j], popularity[i]);
            }
            _popularityByCategory[c] = DemoRandom.Cumulative(popularity);
        }
        _progress?.Report($"products: {_products.Count}");
    }

    // ---------------------------------------------------------------- KOL / KOC posts

    private void WritePosts(DemoRandom random)
    {
        var scale = _options.Customers / 50000.0 * _days / 365.0;
        // Seeding (种草) runs ahead of the festivals: posts are published in proportion to the index ten days later.
        var publishWeights = new double[_days];
        for (var d = 0; d < _days; d++)
            publishWeights[d] = DemoSeasonality.FestivalIndex(_dates[d].AddDays(10)) * (_endMs > DayStart(d) ? 1 : 0);
        var publishCumulative = DemoRandom.Cumulative(publishWeights);

        for (var ch = 0; ch < _channels.Length; ch++)
        {
            var channel = _channels[ch];
            _postDays[ch] = [];
            if (!channel.HasKols) continue;
            var (perYear, halfLife) = channel.Code switch
            {
                "xiaohongshu" => (90, 5.0),
                "douyin" => (60, 1.5),
                "bilibili" => (25, 4.0),
                _ => (25, 1.0),
            };
            var postCount = Math.Max(3, (int)Math.Round(perYear * scale));
            var kolCount = Math.Max(2, postCount / 2);
            var kols = new (string Id, string Name, string Tier)[kolCount];
            for (var k = 0; k < kolCount; k++)
            {
                var u = random.Uniform();
                var tier = u < 0.08 ? "head" : u < 0.40 ? "mid" : "koc";
                kols[k] = ($"kol_{channel.Code}_{k + 1:D3}", random.Pick(DemoCatalog.KolNameParts1) + random.Pick(DemoCatalog.KolNameParts2), tier);
            }
            var channelPosts = new List<Post>();
            for (var n = 0; n < postCount; n++)
            {
                var kol = kols[random.Int(kolCount)];
                var day = random.Weighted(publishCumulative);
                var publishedAt = Math.Min(_endMs - 1, DayStart(day) + DemoSeasonality.TimeOfDay(random, _dates[day]));
                var (costYuan, reach) = kol.Tier switch
                {
                    "head" => (20_000 + random.Int(60_000), 40.0),
                    "mid" => (3_000 + random.Int(12_000), 8.0),
                    _ => (200 + random.Int(1_300), 1.0),
                };
                var post = new Post($"post_{channel.Code}_{n + 1:D4}", kol.Id, ch, day, reach * (0.5 + random.Uniform()), halfLife,
                    "seeding_" + DemoSeasonality.Campaign(_dates[day].AddDays(10)));
                channelPosts.Add(post);
                _posts.Add(post);
                _session.UpsertContentPost(new ContentPostRow
                {
                    PostId = post.PostId,
                    KolId = kol.Id,
                    KolName = kol.Name,
                    KolTier = kol.Tier,
                    Channel = channel.Code,
                    PublishedAt = publishedAt,
                    Cost = costYuan * 100L,
                });
                RowsWritten++;
            }

            var days = new PostDay[_days];
            var massSum = 0.0;
            for (var d = 0; d < _days; d++)
            {
                var active = channelPosts.Where(p => d >= p.Day && d - p.Day <= 30).ToArray();
                var weights = active.Select(p => p.Reach * Math.Pow(0.5, (d - p.Day) / p.HalfLife)).ToArray();
                var mass = weights.Sum();
                days[d] = new PostDay(active, active.Length == 0 ? [] : DemoRandom.Cumulative(weights), mass);
                massSum += mass;
            }
            _postDays[ch] = days;
            _meanPostMass[ch] = massSum / _days;
        }
        _progress?.Report($"KOL/KOC posts: {_posts.Count}");
    }

    // ---------------------------------------------------------------- customers

    private void WriteCustomers()
    {
        for (var i = 0; i < _options.Customers; i++)
        {
            if ((i & 1023) == 0) _ct.ThrowIfCancellationRequested();
            // Each customer draws from its own stream: the store is the same whenever the same seed runs on the same
            // day, except for activity between the two runs' instants.
            WriteCustomer(DemoRandom.Derive(_options.Seed, (3L << 32) + i), i);
            if ((i + 1) % 10000 == 0) _progress?.Report($"customers: {i + 1:N0} / {_options.Customers:N0}, events so far {_events:N0}, orders {_orders:N0}");
        }
        _progress?.Report($"customers: {_options.Customers:N0}, events so far {_events:N0}, orders {_orders:N0}");
    }

    private void WriteCustomer(DemoRandom random, int index)
    {
        var id = $"C{index + 1:D8}";
        var signupDay = random.Weighted(_arrivalCumulative);
        // Someone drawn to join later today than the clock's now is on record as joining just before it, and the
        // rest of the history (all after now) is not written.
        var signupAt = TimeIn(random, signupDay);
        var signupChannel = random.Weighted(_shareCumulative);
        var lambda = random.Gamma(BgNbdR, BgNbdAlpha);
        var dropout = random.Beta(BgNbdA, BgNbdB);
        var nu = random.Gamma(SpendQ, SpendGamma);
        var category = PickCategory(random);
        var device = random.Chance(0.4) ? $"anon_c{index + 1:D8}" : null;
        var customer = new Customer(id, device, signupChannel, category, nu);
        _eventPrefix = $"ev-{id}-";
        _eventInEntity = 0;

        _session.UpsertCustomer(CustomerRow(random, index, id, signupChannel, Math.Min(signupAt, _endMs - 1), lambda));
        RowsWritten++;

        // Visits on this device before signing up: anonymous until the identify at signup stitches them.
        if (device is not null)
        {
            var visits = 1 + random.Geometric(0.4, 3);
            for (var v = 0; v < visits; v++)
            {
                var at = signupAt - (long)(random.Exponential(1.0 / 4) * DayMs);
                if (at < _startMs) continue;
                BrowseSession(random, null, device, at);
            }
        }

        // Signup session.
        var signupTouch = MakeTouch(random, signupChannel, DayOf(signupAt));
        var t = signupAt;
        Emit("page_view", t, id, device, signupTouch);
        t += Gap(random);
        var signupEvent = Emit("signup", t, id, device, signupTouch);
        if (random.Chance(0.45))
        {
            t += Gap(random);
            Emit("coupon_claimed", t, id, device, signupTouch, properties: """{"coupon":"NEW20"}""");
            customer.HasNewCoupon = true;
        }
        if (device is not null && t < _endMs)
        {
            var linked = _session.Identify(device, id, t, signupEvent);
            if (!linked.IsSuccess) throw new InvalidOperationException($"demo identify failed: {linked.Error}");
            _identified++;
        }

        // Purchases and browsing draw from their own streams, so where the clock cuts one off cannot shift the other.
        var purchases = DemoRandom.Derive(_options.Seed, (5L << 32) + index);
        var browsing = DemoRandom.Derive(_options.Seed, (6L << 32) + index);
        var aliveUntil = _clock[_days];
        if (random.Chance(BuyerShare))
        {
            // The trial purchase: in the signup session half the time, otherwise some days later.
            var trialAt = random.Chance(0.5)
                ? t + 2 * MinuteMs + random.Int(8 * (int)MinuteMs)
                : Unwarp(random, Warp(t) + random.Exponential(1.0 / 5));
            var previous = trialAt;
            var trialChannel = random.Chance(0.6) ? signupChannel : -1;
            if (trialAt < _endMs && PurchaseSession(purchases, customer, trialAt, trialChannel))
            {
                // Repeat purchases: Poisson(λ per week) on the seasonal clock; after each, drop out with probability p.
                var u = Warp(trialAt);
                while (true)
                {
                    u += purchases.Exponential(lambda / 7.0);
                    if (u >= _clock[_days]) break;
                    var at = Math.Max(Unwarp(purchases, u), previous + 30 * MinuteMs);
                    if (at >= _endMs) break;
                    PurchaseSession(purchases, customer, at, -1);
                    previous = at;
                    if (purchases.Chance(dropout))
                    {
                        aliveUntil = u;
                        break;
                    }
                }
            }
            BrowseWhileAlive(browsing, customer, Warp(signupAt), aliveUntil, Math.Min(3.0, 0.2 + 3.0 * lambda));
        }
        else
        {
            var lapse = Warp(signupAt) + random.Exponential(1.0 / 28);
            BrowseWhileAlive(browsing, customer, Warp(signupAt), Math.Min(lapse, aliveUntil), 0.3);
        }
    }

    private void BrowseWhileAlive(DemoRandom random, Customer customer, double from, double until, double perWeek)
    {
        var u = from;
        for (var n = 0; n < 150; n++)
        {
            u += random.Exponential(perWeek / 7.0);
            if (u >= until) break;
            var at = Unwarp(random, u);
            if (at >= _endMs) break;
            BrowseSession(random, customer, customer.Device, at);
        }
    }

    private CustomerRow CustomerRow(DemoRandom random, int index, string id, int signupChannel, long signupAt, double lambda)
    {
        var u = random.Uniform();
        var gender = u < 0.63 ? "female" : u < 0.97 ? "male" : "unknown";
        var surname = random.Pick(DemoCatalog.Surnames);
        var given = random.Pick(gender == "male" ? DemoCatalog.MaleGiven : DemoCatalog.FemaleGiven);
        var age = Math.Clamp(18 + (int)random.Gamma(4.0, 0.3), 18, 65);
        var birth = _lastDay.AddYears(-age).AddDays(-random.Int(365));
        var city = PickCity(random);
        var tierIndex = 0;
        var tu = random.Uniform();
        var sum = 0.0;
        for (; tierIndex < DemoCatalog.MemberTiers.Length - 1; tierIndex++)
        {
            sum += DemoCatalog.MemberTiers[tierIndex].Share;
            if (tu < sum) break;
        }
        if (lambda > 0.25) tierIndex = Math.Min(tierIndex + 1, DemoCatalog.MemberTiers.Length - 1);

        var row = new CustomerRow
        {
            CustomerId = id,
            Present = CustomerFields.Name | CustomerFields.Gender | CustomerFields.BirthDate | CustomerFields.Province | CustomerFields.City |
                      CustomerFields.CityTier | CustomerFields.SignupChannel | CustomerFields.SignupAt | CustomerFields.MemberTier | CustomerFields.TimeZone,
            Name = surname + given,
            Gender = gender,
            BirthDate = birth.ToString("yyyy-MM-dd", Invariant),
            Province = city.Province,
            City = city.City,
            CityTier = city.Tier,
            SignupChannel = _channels[signupChannel].Code,
            SignupAt = signupAt,
            MemberTier = DemoCatalog.MemberTiers[tierIndex].Code,
            TimeZone = "Asia/Shanghai",
        };
        // Multiplying by a number coprime to 10^9 is a bijection mod 10^9: every customer gets a distinct, plausible number.
        var prefix = "35789"[index % 5];
        var number = (index * 104_729L + 271_828_183L) % 1_000_000_000L;
        row.Identities.Add(new CustomerIdentity("phone", $"1{prefix}{number:D9}"));
        // Reserved example domain: demo email goes nowhere real (journeys and broadcasts need an address to show a send).
        row.Identities.Add(new CustomerIdentity("email", $"{row.CustomerId.ToLowerInvariant()}@demo.flywheel.example"));
        var platformKind = _channels[signupChannel].Code switch
        {
            "tmall" => "taobao",
            "jd" => "jd",
            "pinduoduo" => "pinduoduo",
            "douyin" => "douyin",
            "wechat" => "wechat_unionid",
            _ => null,
        };
        if (platformKind is not null)
            row.Identities.Add(new CustomerIdentity(platformKind, $"{platformKind}_{(index * 7_919L + 12_345L) % 100_000_000L:D8}"));

        Consent(random, row, "sms", 0.85, signupAt, "sms_reply_td");
        Consent(random, row, "email", 0.35, signupAt, "unsubscribe_link");
        Consent(random, row, "wecom", platformKind == "wechat_unionid" ? 0.9 : 0.4, signupAt, "wecom_blocked");
        return row;
    }

    private void Consent(DemoRandom random, CustomerRow row, string channel, double grantRate, long signupAt, string withdrawSource)
    {
        if (!random.Chance(grantRate)) return;
        row.Consents.Add(new ConsentChange(channel, "marketing", "granted", signupAt, "signup"));
        if (!random.Chance(0.12)) return;
        var withdrawnAt = signupAt + (long)(random.Exponential(1.0 / 60) * DayMs);
        if (withdrawnAt < _endMs)
            row.Consents.Add(new ConsentChange(channel, "marketing", "withdrawn", withdrawnAt, withdrawSource));
    }

    // ---------------------------------------------------------------- anonymous visitors

    private void WriteAnonymousVisitors()
    {
        var visitors = (long)_options.Customers * AnonymousVisitorsPerCustomer;
        for (long v = 0; v < visitors; v++)
        {
            if ((v & 4095) == 0) _ct.ThrowIfCancellationRequested();
            var random = DemoRandom.Derive(_options.Seed, (4L << 32) + v);
            var anonymousId = $"anon_v{v + 1:D9}";
            _eventPrefix = $"ev-{anonymousId}-";
            _eventInEntity = 0;
            var at = TimeIn(random, random.Weighted(_arrivalCumulative));
            var sessions = 1 + random.Geometric(0.3, 5);
            for (var s = 0; s < sessions && at < _endMs; s++)
            {
                BrowseSession(random, null, anonymousId, at);
                at += (long)(random.Exponential(1.0 / 5) * DayMs) + 30 * MinuteMs;
            }
            if ((v + 1) % 200_000 == 0) _progress?.Report($"anonymous visitors: {v + 1:N0} / {visitors:N0}, events so far {_events:N0}");
        }
        _progress?.Report($"anonymous visitors: {visitors:N0}, events {_events:N0}");
    }

    // ---------------------------------------------------------------- sessions

    /// <summary>A visit that does not end in an order: bounce, browse, sometimes a cart or an abandoned checkout.</summary>
    private void BrowseSession(DemoRandom random, Customer? customer, string? anonymousId, long t)
    {
        var touch = MakeTouch(random, customer is null ? random.Weighted(_shareCumulative) : RepeatChannel(random, customer), DayOf(t));
        var customerId = customer?.Id;
        Emit("page_view", t, customerId, anonymousId, touch);
        // Anonymous visitors bounce more and look at less than members do.
        if (random.Chance(customer is null ? 0.55 : 0.42)) return;
        if (customer is not null && random.Chance(0.3))
        {
            t += Gap(random);
            Emit("login", t, customerId, anonymousId, touch);
        }
        if (random.Chance(0.3))
        {
            t += Gap(random);
            Search(t, customerId, anonymousId, touch, random.Pick(DemoCatalog.SearchTerms));
        }
        var category = customer?.Category ?? PickCategory(random);
        var views = 1 + random.Geometric(customer is null ? 0.4 : 0.5, 6);
        Product? last = null;
        for (var i = 0; i < views; i++)
        {
            t += Gap(random);
            last = PickProduct(random, random.Chance(0.75) ? category : PickCategory(random));
            Emit("product_view", t, customerId, anonymousId, touch, last.Sku);
        }
        if (random.Chance(0.03))
        {
            t += Gap(random);
            Emit("share", t, customerId, anonymousId, touch, last!.Sku, properties: """{"to":"wechat"}""");
        }
        if (customer is not null && random.Chance(0.04))
        {
            t += Gap(random);
            Emit("coupon_claimed", t, customerId, anonymousId, touch, properties: """{"coupon":"MEMBER10"}""");
        }
        if (!random.Chance(customer is null ? 0.05 : 0.2)) return;
        t += Gap(random);
        Emit("add_to_cart", t, customerId, anonymousId, touch, last!.Sku);
        if (customer is null || !random.Chance(0.55)) return;
        t += Gap(random);
        Emit("begin_checkout", t, customerId, anonymousId, touch, last.Sku);
        if (!random.Chance(0.15) || t >= _endMs) return;
        // An order placed but never paid: cancelled by the platform, or still pending if placed within the last hour.
        var order = NewOrder(random, customer, t, false);
        var pending = _endMs - t < 60 * MinuteMs;
        Write(new OrderRow
        {
            OrderId = order.OrderId,
            CustomerId = customer.Id,
            Store = order.Store,
            Channel = _channels[touch.Channel].Code,
            Status = pending ? "pending" : "cancelled",
            PlacedAt = t,
            ShippingFee = order.ShippingFee,
            CouponCodes = order.Coupon,
        }, order.Lines);
    }

    /// <summary>A visit that ends in a paid order. Returns false when the window ends before the payment.</summary>
    private bool PurchaseSession(DemoRandom random, Customer customer, long t, int channel)
    {
        if (t + 40 * MinuteMs >= _endMs) return false;
        if (channel < 0)
            channel = customer.Orders == 0 ? random.Weighted(_firstPurchaseCumulative) : RepeatChannel(random, customer);
        var touch = MakeTouch(random, channel, DayOf(t));
        var id = customer.Id;
        var device = customer.Device;
        Emit("page_view", t, id, device, touch);
        if (customer.Orders > 0 && random.Chance(0.4))
        {
            t += Gap(random);
            Emit("login", t, id, device, touch);
        }
        if (random.Chance(0.3))
        {
            t += Gap(random);
            Search(t, id, device, touch, random.Pick(DemoCatalog.SearchTerms));
        }
        var order = NewOrder(random, customer, t, customer.Orders == 0 && customer.HasNewCoupon);
        var others = random.Geometric(0.45, 3);
        for (var i = 0; i < others; i++)
        {
            t += Gap(random);
            Emit("product_view", t, id, device, touch, PickProduct(random, customer.Category).Sku);
        }
        foreach (var line in order.Lines)
        {
            t += Gap(random);
            Emit("product_view", t, id, device, touch, line.Sku);
            t += Gap(random);
            Emit("add_to_cart", t, id, device, touch, line.Sku);
        }
        if (order.Coupon is not null && order.Coupon != "NEW20")
        {
            t += Gap(random);
            Emit("coupon_claimed", t, id, device, touch, properties: $$"""{"coupon":"{{order.Coupon}}"}""");
        }
        t += Gap(random);
        Emit("begin_checkout", t, id, device, touch, order.Lines[0].Sku);
        var placedAt = t;
        var paidAt = t + 20_000 + random.Int(280_000);
        var total = order.Lines.Sum(l => l.PaidAmount) + order.ShippingFee;
        Emit("order_paid", paidAt, id, device, touch, order.Lines[0].Sku, total, properties: $$"""{"order_id":"{{order.OrderId}}"}""");

        // Fulfilment: shipped within two days, received and confirmed a week or so later; a few refunds.
        var shippedAt = paidAt + 4 * 3_600_000L + random.Int(44 * 3_600_000);
        var completedAt = shippedAt + 3 * DayMs + random.Int(7 * (int)(DayMs / 1000)) * 1000L;
        var refundRoll = random.Uniform();
        long? refundedAt = null;
        var status = completedAt < _endMs ? "completed" : shippedAt < _endMs ? "shipped" : "paid";
        if (refundRoll < 0.055)
        {
            var at = paidAt + DayMs + random.Int(9 * (int)(DayMs / 1000)) * 1000L;
            if (at < _endMs)
            {
                refundedAt = at;
                // A partial refund returns the last line of a multi-line order, or half the units of a single line.
                var partial = refundRoll >= 0.03 && (order.Lines.Count > 1 || order.Lines[0].Quantity > 1);
                status = partial ? "partially_refunded" : "refunded";
                var last = order.Lines.Count - 1;
                for (var i = 0; i <= last; i++)
                {
                    var line = order.Lines[i];
                    var refundedQuantity = !partial ? line.Quantity : last == 0 ? line.Quantity / 2 : i == last ? line.Quantity : 0;
                    order.Lines[i] = new OrderLineRow
                    {
                        Sku = line.Sku,
                        Quantity = line.Quantity,
                        UnitPrice = line.UnitPrice,
                        LineDiscount = line.LineDiscount,
                        RefundedQuantity = refundedQuantity,
                    };
                }
            }
        }
        Write(new OrderRow
        {
            OrderId = order.OrderId,
            CustomerId = id,
            Store = order.Store,
            Channel = _channels[channel].Code,
            Status = status,
            PlacedAt = placedAt,
            PaidAt = paidAt,
            ShippedAt = shippedAt < _endMs && status != "refunded" ? shippedAt : null,
            CompletedAt = status == "completed" ? completedAt : null,
            RefundedAt = refundedAt,
            ShippingFee = order.ShippingFee,
            CouponCodes = order.Coupon,
        }, order.Lines);
        customer.Orders++;

        // Drawn whether or not the order is complete yet, so the clock never changes how many draws a purchase takes.
        var reviews = random.Chance(0.25);
        var reviewAt = completedAt + (long)(random.Exponential(1.0 / 2) * DayMs);
        var rating = random.Chance(0.85) ? 5 : 1 + random.Int(4);
        if (status == "completed" && reviews && reviewAt < _endMs)
            Emit("review", reviewAt, id, device, touch with { Medium = null, Campaign = null, Content = null, KolId = null },
                order.Lines[0].Sku, properties: $$"""{"order_id":"{{order.OrderId}}","rating":{{rating}}}""");
        return true;
    }

    private PlannedOrder NewOrder(DemoRandom random, Customer customer, long at, bool newCustomerCoupon)
    {
        var date = _dates[DayOf(at)];
        var promotion = DemoSeasonality.IsPromotion(date);
        // Gamma-Gamma: this order's target value given the customer's ν.
        var targetFen = random.Gamma(SpendP, customer.Nu) * 100;
        var firstCategory = random.Chance(0.7) ? customer.Category : PickCategory(random);
        var store = DemoCatalog.Categories[firstCategory].Store;
        var storeCategories = Enumerable.Range(0, DemoCatalog.Categories.Length).Where(c => DemoCatalog.Categories[c].Store == store).ToArray();
        var u = random.Uniform();
        var lineCount = u < 0.55 ? 1 : u < 0.85 ? 2 : 3;
        var lines = new List<OrderLineRow>(lineCount);
        var remaining = targetFen;
        for (var i = 0; i < lineCount; i++)
        {
            var category = i == 0 ? firstCategory : storeCategories[random.Int(storeCategories.Length)];
            var lineTarget = i == lineCount - 1 ? remaining : remaining * (0.3 + 0.4 * random.Uniform());
            lineTarget = Math.Max(lineTarget, 500);
            Product best = PickProduct(random, category);
            var bestQuantity = 1;
            var bestError = double.MaxValue;
            for (var attempt = 0; attempt < 6; attempt++)
            {
                var candidate = attempt == 0 ? best : PickProduct(random, category);
                var quantity = (int)Math.Clamp(Math.Round(lineTarget / candidate.ListPrice), 1, 5);
                var error = Math.Abs(Math.Log(candidate.ListPrice * quantity / lineTarget));
                if (error < bestError && lines.All(l => l.Sku != candidate.Sku))
                {
                    (best, bestQuantity, bestError) = (candidate, quantity, error);
                }
            }
            if (lines.Any(l => l.Sku == best.Sku)) continue;
            var percent = promotion ? 75 + random.Int(16) : random.Chance(0.12) ? 90 + random.Int(6) : 100;
            var unitPrice = best.ListPrice * percent / 100;
            lines.Add(new OrderLineRow { Sku = best.Sku, Quantity = bestQuantity, UnitPrice = unitPrice });
            remaining = Math.Max(0, remaining - unitPrice * bestQuantity);
        }

        var goods = lines.Sum(l => l.UnitPrice * l.Quantity);
        string? coupon = null;
        long discount = 0;
        var campaign = DemoSeasonality.Campaign(date);
        if (newCustomerCoupon && goods >= 9_900)
            (coupon, discount) = ("NEW20", 2_000);
        else if (promotion && campaign.StartsWith("double12", StringComparison.Ordinal) && goods >= 20_000 && random.Chance(0.5))
            (coupon, discount) = ("D12-200-20", 2_000);
        else if (promotion && goods >= 30_000 && random.Chance(0.55))
            (coupon, discount) = (campaign.StartsWith("618", StringComparison.Ordinal) ? "618-300-50" : "D11-300-50", 5_000);
        else if (goods >= 6_900 && random.Chance(0.07))
            (coupon, discount) = ("MEMBER10", 1_000);

        // The coupon is spread over the lines in proportion to their amounts; the rounding remainder goes to the largest line.
        if (discount > 0)
        {
            var shares = lines.Select(l => discount * (l.UnitPrice * l.Quantity) / goods).ToArray();
            var largest = 0;
            for (var i = 1; i < lines.Count; i++)
                if (lines[i].UnitPrice * lines[i].Quantity > lines[largest].UnitPrice * lines[largest].Quantity) largest = i;
            shares[largest] += discount - shares.Sum();
            for (var i = 0; i < lines.Count; i++)
                lines[i] = new OrderLineRow { Sku = lines[i].Sku, Quantity = lines[i].Quantity, UnitPrice = lines[i].UnitPrice, LineDiscount = shares[i] };
        }
        // Free shipping from 99 yuan after discounts, otherwise 6, 8 or 10 yuan.
        var shipping = goods - discount >= 9_900 ? 0 : 600 + 200 * random.Int(3);
        customer.OrderIds++;
        _orders++;
        return new PlannedOrder($"ORD-{customer.Id}-{customer.OrderIds:D3}", store, lines, coupon, shipping);
    }

    private void Write(OrderRow order, List<OrderLineRow> lines)
    {
        order.Lines.AddRange(lines);
        var written = _session.WriteOrder(order, createMissingProducts: false);
        if (!written.IsSuccess) throw new InvalidOperationException($"demo order rejected: {written.Error}");
        _orderLines += lines.Count;
        RowsWritten += 1 + lines.Count;
    }

    // ---------------------------------------------------------------- touches and channels

    private int RepeatChannel(DemoRandom random, Customer customer) =>
        random.Chance(0.35) ? customer.SignupChannel : random.Weighted(_repeatCumulative);

    private Touch MakeTouch(DemoRandom random, int channel, int day)
    {
        var c = _channels[channel];
        var u = random.Uniform();
        var medium = c.Mediums[^1].Medium;
        foreach (var (m, share) in c.Mediums)
        {
            if (u < share)
            {
                medium = m;
                break;
            }
            u -= share;
        }
        if (medium == "kol")
        {
            var postDay = _postDays[channel][day];
            // KOL traffic follows the posts that are live: busy when many fresh posts are out, none when none are.
            if (postDay.Posts.Length > 0 && random.Chance(Math.Min(1.0, postDay.Mass / Math.Max(1e-9, _meanPostMass[channel]))))
            {
                var post = postDay.Posts[random.Weighted(postDay.Cumulative)];
                return new Touch(channel, "kol", c.Source, post.Campaign, post.PostId, post.KolId, null);
            }
            medium = "organic";
        }
        if (medium == "cpc") _paidSessions[channel, day]++;
        var campaign = medium == "organic" ? null : DemoSeasonality.Campaign(_dates[day]);
        // The same draw as picking the term, kept as an index: paid search spend is bought per keyword (the rows' ad group).
        var term = c.Code == "baidu" ? random.Int(DemoCatalog.SearchTerms.Length) : -1;
        if (term >= 0 && medium == "cpc") _paidTermSessions[day, term]++;
        return new Touch(channel, medium, c.Source, campaign, null, null, term >= 0 ? DemoCatalog.SearchTerms[term] : null);
    }

    // ---------------------------------------------------------------- ad spend

    private void WriteSpend(DemoRandom random)
    {
        var yearMean = DemoSeasonality.YearMean(_lastDay);
        for (var d = 0; d < _days; d++)
        {
            if (DayStart(d) >= _endMs) break;
            for (var ch = 0; ch < _channels.Length; ch++)
            {
                var c = _channels[ch];
                if (!c.IsPaid) continue;
                // Not every paid click lands as a tracked session (slow pages, back button): clicks run ~15% above sessions.
                var clicks = (long)Math.Round(_paidSessions[ch, d] / (0.85 + 0.04 * (random.Uniform() - 0.5)));
                var ctr = c.Ctr * (0.85 + 0.3 * random.Uniform());
                var impressions = clicks == 0 ? (long)(200 + random.Int(800)) : (long)Math.Round(clicks / ctr);
                // Bidding wars: CPC rises with the festival index.
                var season = 1.0 + 0.35 * Math.Max(0, DemoSeasonality.Index(_dates[d]) / yearMean - 1.0);
                var cpc = c.CpcFen * season * (0.9 + 0.2 * random.Uniform());
                var cost = (long)Math.Round(clicks * cpc);
                if (c.Code == "baidu")
                {
                    WriteKeywordSpend(d, c.Code, impressions, clicks, cost);
                    continue;
                }
                _session.UpsertSpend(new SpendRow
                {
                    Date = _dates[d],
                    Channel = c.Code,
                    Campaign = DemoSeasonality.Campaign(_dates[d]),
                    AdGroup = "",
                    Impressions = impressions,
                    Clicks = clicks,
                    Cost = cost,
                });
                _spendRows++;
                RowsWritten++;
            }
        }
        _progress?.Report($"ad spend rows: {_spendRows:N0}");
    }

    /// <summary>
    /// A search engine's day of spend as one row per keyword (ad group = the term its cpc sessions carried), the day's impressions, clicks and
    /// cost split in proportion to those sessions (largest remainder, so the rows add up to the day's totals). No draws: the random stream is
    /// the same as with one row. A day without sessions puts its impressions on one keyword in turn.
    /// </summary>
    private void WriteKeywordSpend(int day, string channel, long impressions, long clicks, long cost)
    {
        var terms = DemoCatalog.SearchTerms;
        var weights = new long[terms.Length];
        for (var k = 0; k < terms.Length; k++) weights[k] = _paidTermSessions[day, k];
        if (weights.Sum() == 0) weights[day % terms.Length] = 1;
        var (impressionShares, clickShares, costShares) = (Split(impressions, weights), Split(clicks, weights), Split(cost, weights));
        for (var k = 0; k < terms.Length; k++)
        {
            if (weights[k] == 0) continue;
            _session.UpsertSpend(new SpendRow
            {
                Date = _dates[day],
                Channel = channel,
                Campaign = DemoSeasonality.Campaign(_dates[day]),
                AdGroup = terms[k],
                Impressions = impressionShares[k],
                Clicks = clickShares[k],
                Cost = costShares[k],
            });
            _spendRows++;
            RowsWritten++;
        }
    }

    /// <summary><paramref name="total"/> split in proportion to <paramref name="weights"/>: floors, then the remainder one by one to the largest fractions.</summary>
    private static long[] Split(long total, long[] weights)
    {
        var sum = weights.Sum();
        var shares = new long[weights.Length];
        var fractions = new (long Remainder, int Index)[weights.Length];
        long given = 0;
        for (var k = 0; k < weights.Length; k++)
        {
            shares[k] = total * weights[k] / sum;
            fractions[k] = (total * weights[k] % sum, k);
            given += shares[k];
        }
        foreach (var (_, k) in fractions.OrderByDescending(f => f.Remainder).ThenBy(f => f.Index).Take((int)(total - given))) shares[k]++;
        return shares;
    }

    /// <summary>
    /// An on-site search, with how many products it found ({"results": N}): fixed per term, and none for the festival guides the
    /// store has no page for (双11攻略, 618必买) — the zero-result searches the keyword table shows.
    /// </summary>
    private void Search(long time, string? customerId, string? anonymousId, Touch touch, string term) =>
        Emit("search", time, customerId, anonymousId, touch, term: term,
            properties: string.Create(Invariant, $$"""{"results":{{DemoCatalog.SearchResults(term)}}}"""));

    // ---------------------------------------------------------------- helpers

    private string Emit(string type, long time, string? customerId, string? anonymousId, Touch touch, string? sku = null, long? value = null,
        string? term = null, string? properties = null)
    {
        var id = _eventPrefix + (++_eventInEntity).ToString("D3", Invariant);
        // Whatever would happen after the clock's now (the rest of a session in progress) has not happened yet.
        if (time >= _endMs) return id;
        _events++;
        _session.WriteEvent(new EventRow
        {
            EventId = id,
            Type = type,
            Time = time,
            CustomerId = customerId,
            AnonymousId = anonymousId,
            Channel = _channels[touch.Channel].Code,
            Source = touch.Source,
            Medium = touch.Medium,
            Campaign = touch.Campaign,
            Content = touch.Content,
            Term = term ?? touch.Term,
            KolId = touch.KolId,
            Sku = sku,
            Value = value,
            Properties = properties,
        });
        RowsWritten++;
        return id;
    }

    private static long Gap(DemoRandom random) => 8_000 + random.Int(110_000);

    private long DayStart(int day) => _startMs + day * DayMs;

    private int DayOf(long time) => (int)Math.Clamp((time - _startMs) / DayMs, 0, _days - 1);

    /// <summary>A time on a day at an hour people shop; may lie after the clock's now on the last day (callers skip those).</summary>
    private long TimeIn(DemoRandom random, int day) => DayStart(day) + DemoSeasonality.TimeOfDay(random, _dates[day]);

    /// <summary>Real time to seasonal-clock time (days of average intensity since the window opened).</summary>
    private double Warp(long time)
    {
        var day = DayOf(time);
        var fraction = Math.Clamp((time - DayStart(day)) / (double)DayMs, 0, 1);
        return _clock[day] + (_clock[day + 1] - _clock[day]) * fraction;
    }

    /// <summary>Seasonal-clock time to a real time: the day it falls on, at an hour people shop.</summary>
    private long Unwarp(DemoRandom random, double u)
    {
        if (u >= _clock[_days]) return long.MaxValue;
        var index = Array.BinarySearch(_clock, u);
        var day = index >= 0 ? index : ~index - 1;
        return TimeIn(random, Math.Clamp(day, 0, _days - 1));
    }

    private static int PickCategory(DemoRandom random)
    {
        var u = random.Uniform();
        var categories = DemoCatalog.Categories;
        for (var i = 0; i < categories.Length - 1; i++)
        {
            if (u < categories[i].Share) return i;
            u -= categories[i].Share;
        }
        return categories.Length - 1;
    }

    private Product PickProduct(DemoRandom random, int category) =>
        _products[_productsByCategory[category][random.Weighted(_popularityByCategory[category])]];

    private static DemoCity PickCity(DemoRandom random)
    {
        var total = 0.0;
        foreach (var c in DemoCatalog.Cities) total += c.Weight;
        var u = random.Uniform() * total;
        foreach (var c in DemoCatalog.Cities)
        {
            if (u < c.Weight) return c;
            u -= c.Weight;
        }
        return DemoCatalog.Cities[^1];
    }

    private sealed record Product(string Sku, int Category, long ListPrice, string Store);

    private sealed record Post(string PostId, string KolId, int Channel, int Day, double Reach, double HalfLife, string Campaign);

    private sealed record PostDay(Post[] Posts, double[] Cumulative, double Mass);

    private sealed record PlannedOrder(string OrderId, string Store, List<OrderLineRow> Lines, string? Coupon, long ShippingFee);

    private readonly record struct Touch(int Channel, string? Medium, string Source, string? Campaign, string? Content, string? KolId, string? Term);

    private sealed class Customer(string id, string? device, int signupChannel, int category, double nu)
    {
        public string Id { get; } = id;
        public string? Device { get; } = device;
        public int SignupChannel { get; } = signupChannel;
        public int Category { get; } = category;
        public double Nu { get; } = nu;
        public int Orders { get; set; }
        public bool HasNewCoupon { get; set; }
        public int OrderIds { get; set; }
    }
}
