using System.Collections.Concurrent;
using System.Text.Json;
using Flywheel.Campaigns.Channels;
using Flywheel.Campaigns.Delivery;
using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Tests.Channels;
using Flywheel.Storage;
using Flywheel.Campaigns.Storage;
using Flywheel.Tests;

namespace Flywheel.Campaigns.Tests.Delivery;

/// <summary>
/// A fresh store on one engine with a hand-set clock, customers written straight into the customer tables, and dispatchers
/// over real channels: email to the loopback aiosmtpd (FLYWHEEL_TEST_SMTP, Maildir FLYWHEEL_TEST_MAILDIR), webhooks to an
/// <see cref="HttpReceiver"/>.
/// </summary>
internal sealed class DeliveryHarness : IDisposable
{
    public static readonly CancellationToken None = CancellationToken.None;
    public static readonly string Smtp = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_SMTP") is { Length: > 0 } s ? s : "127.0.0.1:2525";
    public static readonly string Maildir = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_MAILDIR") is { Length: > 0 } m ? m : "/tmp/flywheel-test-maildir";
    private static readonly HttpClient Http = new();
    public const string WebhookSecret = "webhook-secret-0123456789";

    private DeliveryHarness(FlywheelStore store, TestClock clock)
    {
        Store = store;
        Clock = clock;
        Campaigns = new CampaignStore(store, clock);
        Directory = new CustomerDirectory(store);
    }

    public FlywheelStore Store { get; }

    public TestClock Clock { get; }

    public CampaignStore Campaigns { get; }

    public CustomerDirectory Directory { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static async Task<DeliveryHarness> OpenAsync(string engine, DateTimeOffset now)
    {
        var clock = new TestClock(now);
        return new DeliveryHarness(await TestStores.OpenAsync(engine, clock), clock);
    }

    public void Dispose()
    {
        Store.Dispose();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    public static SmtpOptions SmtpOptions(int? port = null) => new(
        Smtp.Split(':')[0], port ?? int.Parse(Smtp.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture),
        "news@shop.example", "飞轮商城", EnableSsl: false, Timeout: TimeSpan.FromSeconds(10));

    public EmailChannel Email(int? port = null) => new(SmtpOptions(port), Clock);

    public WebhookChannel Webhook(HttpReceiver receiver) => new(Http, new WebhookOptions(receiver.Url, WebhookSecret), Clock);

    public Dispatcher Dispatcher(IChannel channel, SendPolicy? policy = null, string owner = "w1",
        Func<StoredMessage, CancellationToken, ValueTask<string?>>? stillEligible = null) =>
        new(Campaigns, new ChannelRegistry([channel]), Directory, policy ?? new SendPolicy(), Clock, owner, stillEligible);

    public static string NewEmail() => $"{Guid.NewGuid():N}@customer.example";

    /// <summary>A customer with an email address and the given consents (default: email marketing granted).</summary>
    public async Task AddCustomerAsync(string id, string? email, string zone = "Asia/Shanghai", bool marketing = true) =>
        await AddCustomersAsync([(id, email)], zone, marketing);

    public async Task AddCustomersAsync(IReadOnlyList<(string Id, string? Email)> customers, string zone = "Asia/Shanghai", bool marketing = true)
    {
        var now = Now.ToUnixTimeMilliseconds();
        await using var connection = await Store.OpenConnectionAsync(None);
        await using var transaction = await connection.BeginTransactionAsync(None);
        foreach (var (id, email) in customers)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO customers (customer_id, name, time_zone, created_at, updated_at) VALUES (@c, @n, @z, @t, @t)",
                ("@c", id), ("@n", "客户 " + id), ("@z", zone), ("@t", now));
            if (email is not null)
                await ExecuteAsync(connection, transaction, "INSERT INTO customer_identities (kind, value, customer_id, created_at) VALUES ('email', @v, @c, @t)",
                    ("@v", email), ("@c", id), ("@t", now));
            if (marketing)
                await SetConsentAsync(connection, transaction, id, "email", "marketing", "granted", now);
        }
        await transaction.CommitAsync(None);
    }

    public async Task SetConsentAsync(string customerId, string channel, string purpose, string status)
    {
        await using var connection = await Store.OpenConnectionAsync(None);
        await SetConsentAsync(connection, null, customerId, channel, purpose, status, Now.ToUnixTimeMilliseconds());
    }

    private static Task SetConsentAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string customerId,
        string channel, string purpose, string status, long now) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO customer_consents (customer_id, channel, purpose, status, changed_at, source) VALUES (@c, @ch, @p, @s, @t, 'test') " +
            "ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at",
            ("@c", customerId), ("@ch", channel), ("@p", purpose), ("@s", status), ("@t", now));

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string sql,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        await command.ExecuteNonQueryAsync(None);
    }

    public static NewMessage Message(string key, string customer, string? recipient, DateTimeOffset due, string purpose = "marketing",
        string channel = "email") =>
        new(key, "journey", "welcome", "s1", "A", customer, channel, purpose, recipient, "双十一专属优惠", $"你好 {customer}，预售开始了。",
            $"<p>你好 <b>{customer}</b></p>", "https://shop.example/u/x", due);

    public async Task EnqueueAsync(params NewMessage[] messages)
    {
        var stored = await Campaigns.EnqueueAsync(messages, None);
        Assert.True(stored.IsSuccess, stored.Error?.ToString());
        Assert.Equal(messages.Length, stored.Value);
    }

    public async Task<StoredMessage> GetAsync(string key) => (await Campaigns.GetMessageByKeyAsync(key, None))!;

    /// <summary>Runs passes until one claims nothing; the sum of their reports.</summary>
    public static async Task<DispatchReport> DrainAsync(Dispatcher dispatcher)
    {
        var total = DispatchReport.Empty;
        for (var i = 0; i < 10_000; i++)
        {
            var report = await dispatcher.RunOnceAsync(None);
            total = total.Add(report);
            if (report.Claimed == 0) return total;
        }
        throw new InvalidOperationException("the queue never drained");
    }

    /// <summary>How many stored mails are addressed to <paramref name="recipient"/> (the To header).</summary>
    public static int MailsTo(string recipient)
    {
        var folder = Path.Combine(Maildir, "new");
        if (!System.IO.Directory.Exists(folder)) return 0;
        var count = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(folder))
        {
            string raw;
            try
            {
                raw = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            if (raw.Contains(recipient, StringComparison.Ordinal)) count++;
        }
        return count;
    }

    /// <summary>Idempotency keys the webhook receiver saw, with how many times each came.</summary>
    public static Dictionary<string, int> KeysSeen(HttpReceiver receiver)
    {
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var request in receiver.Requests)
        {
            var key = JsonDocument.Parse(request.Body).RootElement.GetProperty("idempotency_key").GetString()!;
            seen.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
        return new Dictionary<string, int>(seen, StringComparer.Ordinal);
    }
}
