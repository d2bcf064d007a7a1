using System.Data.Common;
using System.Net;
using System.Text.Json;
using Flywheel.Hosting.Access;
using Flywheel.Storage;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Customers;

/// <summary>
/// POST /v1/customers/{id}/forget (PIPL Art. 47, GDPR Art. 17): no trace of the person's name, birth date, city, e-mail, phone,
/// platform id or the free text that carried them is left in any text column of any table, while KPIs, RFM and the other customer
/// stay as they were; a second call erases nothing more; an unknown id is 404; only admin keys may call it.
/// </summary>
public sealed class ForgetCustomerTests
{
    /// <summary>Strings that name or reach alice and appear nowhere else.</summary>
    private static readonly string[] AliceTraces = ["王小丽", "alice.wang@example.com", "13812345678", "tb_alice_88", "湖州", "1990-02-03"];

    private static async Task SeedAsync(ServerHost host)
    {
        foreach (var (id, customer, day) in new[] { ("o1", "alice", "2026-06-20"), ("o2", "alice", "2026-06-27"), ("o3", "bob", "2026-06-28") })
        {
            var order = $$"""{"order_id":"{{id}}","customer_id":"{{customer}}","status":"paid","placed_at":"{{day}}T10:00:00+08:00","paid_at":"{{day}}T10:00:00+08:00","lines":[{"sku":"k1","quantity":1,"unit_price":"99.00"}]}""";
            var response = await host.PostJsonAsync("/v1/orders?create_missing=true", order);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        var put = await host.PutJsonAsync("/v1/customers/alice", """
            {"name":"王小丽","gender":"female","birth_date":"1990-02-03","province":"浙江","city":"湖州","city_tier":"tier3",
             "email":"alice.wang@example.com","phone":"13812345678","taobao_id":"tb_alice_88",
             "consents":[{"channel":"email","purpose":"marketing","status":"granted","source":"signup form alice.wang@example.com"},
                         {"channel":"sms","purpose":"marketing","status":"granted"}]}
            """);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        put = await host.PutJsonAsync("/v1/customers/bob", """{"name":"李雷","city":"成都","email":"bob@example.com","consents":[{"channel":"email","purpose":"marketing","status":"granted"}]}""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        // The send log, its links, a suppression and a journey entry, as the campaign engine writes them.
        await ExecuteAsync(host.Store, """
            INSERT INTO messages (idempotency_key, source_kind, source_id, customer_id, channel, purpose, recipient, subject, body_text, body_html,
                unsubscribe_url, status, due_at, created_at, updated_at, sent_at, last_error)
            VALUES ('k-a1', 'test', 'welcome', 'alice', 'email', 'marketing', 'alice.wang@example.com', '王小丽，欢迎', '亲爱的王小丽', '<p>王小丽 13812345678</p>',
                'https://shop.example/u/tok-alice-1', 'delivered', 0, 0, 0, 0, NULL),
                   ('k-a2', 'test', 'welcome', 'alice', 'sms', 'marketing', '13812345678', NULL, '王小丽: 会员日', NULL,
                NULL, 'queued', 0, 0, 0, NULL, '550 no mailbox alice.wang@example.com'),
                   ('k-b1', 'test', 'welcome', 'bob', 'email', 'marketing', 'bob@example.com', '李雷，欢迎', '亲爱的李雷', NULL,
                NULL, 'delivered', 0, 0, 0, 0, NULL);
            -- A message a worker is sending (its lease held): forgetting cancels it too, so no retry goes out without a recipient.
            INSERT INTO messages (idempotency_key, source_kind, source_id, customer_id, channel, purpose, recipient, subject, body_text, body_html,
                unsubscribe_url, status, due_at, created_at, updated_at, sent_at, last_error, lease_owner, lease_until)
            VALUES ('k-a3', 'test', 'welcome', 'alice', 'email', 'marketing', 'alice.wang@example.com', '王小丽，会员日', '亲爱的王小丽', NULL,
                NULL, 'sending', 0, 0, 0, NULL, NULL, 'worker-1', 0);
            INSERT INTO message_tokens (token, message_id, kind, url, created_at)
            SELECT 'tok-alice-' || CAST(message_id AS TEXT), message_id, 'unsubscribe', NULL, 0 FROM messages WHERE customer_id = 'alice';
            INSERT INTO message_tokens (token, message_id, kind, url, created_at)
            SELECT 'tok-bob', message_id, 'click', 'https://shop.example/p/1', 0 FROM messages WHERE customer_id = 'bob';
            INSERT INTO suppressions (channel, address, reason, created_at) VALUES ('email', 'alice.wang@example.com', 'bounced', 0), ('email', 'bob@example.com', 'complaint', 0);
            INSERT INTO journey_entries (journey_id, customer_id, occurrence, status, step_id, due_at, entered_at, updated_at, context)
            VALUES ('welcome', 'alice', 1, 'active', 'wait', 0, 0, 0, '{"email":"alice.wang@example.com"}'),
                   ('welcome', 'bob', 1, 'active', 'wait', 0, 0, 0, '{"sku":"k1"}');
            """);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Forget_LeavesNoTraceOfThePerson_AndKeepsKpisAndRfm(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        Assert.NotEmpty(await TracesAsync(host.Store, AliceTraces)); // the scan finds them while they are there
        var rfm = await host.Client.GetStringAsync("/v1/rfm?as_of=2026-06-30&customers=5");
        var metrics = await host.Client.GetStringAsync("/v1/metrics?from=2026-06-01&to=2026-06-30");
        var before = await Json.ReadAsync(await host.Client.GetAsync("/v1/customers/alice/profile"));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("forgotten_at").ValueKind);

        var response = await host.Client.PostAsync("/v1/customers/alice/forget", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var forgot = await Json.ReadAsync(response);
        Assert.False(forgot.GetProperty("already_forgotten").GetBoolean());
        Assert.False(forgot.GetProperty("customer_id_is_personal").GetBoolean());
        var erased = forgot.GetProperty("erased").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(new Dictionary<string, long>
        {
            ["attributes"] = 3, ["identities"] = 3, ["consents"] = 2, ["consent_sources"] = 2, ["messages"] = 3, ["messages_cancelled"] = 2,
            ["message_links"] = 3, ["suppressions"] = 1, ["journeys_exited"] = 1, ["journey_contexts"] = 1,
        }, erased);
        Assert.Equal(21, forgot.GetProperty("erased_total").GetInt64());

        Assert.Empty(await TracesAsync(host.Store, AliceTraces));
        Assert.Equal(rfm, await host.Client.GetStringAsync("/v1/rfm?as_of=2026-06-30&customers=5"));
        Assert.Equal(metrics, await host.Client.GetStringAsync("/v1/metrics?from=2026-06-01&to=2026-06-30"));

        var profile = await Json.ReadAsync(await host.Client.GetAsync("/v1/customers/alice/profile"));
        Assert.Equal(forgot.GetProperty("forgotten_at").GetString(), profile.GetProperty("forgotten_at").GetString());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("attributes").GetProperty("city").ValueKind);
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("attributes").GetProperty("birth_date").ValueKind);
        Assert.Equal("浙江", profile.GetProperty("attributes").GetProperty("province").GetString()); // coarse: kept
        Assert.Empty(profile.GetProperty("consents").EnumerateArray());
        Assert.Equal(2, profile.GetProperty("orders").GetProperty("count").GetInt64());

        // Kept: the orders, the message rows with their statuses, the consent history; bob untouched.
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "orders", "customer_id = 'alice'"));
        Assert.Equal(3, await TestStores.CountAsync(host.Store, "messages", "customer_id = 'alice'"));
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "messages", "customer_id = 'alice' AND status = 'cancelled'")); // queued and sending
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "messages", "customer_id = 'alice' AND status = 'delivered'"));
        Assert.Equal(2, await TestStores.CountAsync(host.Store, "consent_history", "customer_id = 'alice'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "customer_identities", "customer_id = 'bob'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "messages", "customer_id = 'bob' AND recipient = 'bob@example.com' AND body_text = '亲爱的李雷'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "message_tokens", "token = 'tok-bob'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "suppressions", "address = 'bob@example.com'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "journey_entries", "customer_id = 'bob' AND status = 'active' AND context IS NOT NULL"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "customers", "customer_id = 'bob' AND name = '李雷' AND city = '成都'"));
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "audit_log", "route LIKE '%/forget' AND status = 200"));

        // Twice is fine and says nothing more was erased; the first time stays.
        var again = await Json.ReadAsync(await host.Client.PostAsync("/v1/customers/alice/forget", null));
        Assert.True(again.GetProperty("already_forgotten").GetBoolean());
        Assert.Equal(0, again.GetProperty("erased_total").GetInt64());
        Assert.All(again.GetProperty("erased").EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt64()));
        Assert.Equal(forgot.GetProperty("forgotten_at").GetString(), again.GetProperty("forgotten_at").GetString());

        var unknown = await host.Client.PostAsync("/v1/customers/nobody/forget", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no customer 'nobody'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "customer_erasures", "customer_id = 'nobody'"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Forget_IsForAdminsOnly(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        await SeedAsync(host);
        foreach (var role in new[] { Roles.Marketer, Roles.Analyst, Roles.Viewer, Roles.Ingest })
        {
            using var client = await host.ClientForAsync(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/v1/customers/alice/forget", null)).StatusCode);
        }
        using (var anonymous = await host.ClientForAsync(null))
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/customers/alice/forget", null)).StatusCode);
        Assert.Equal(1, await TestStores.CountAsync(host.Store, "customer_identities", "value = 'alice.wang@example.com'"));
        Assert.Equal(0, await TestStores.CountAsync(host.Store, "customer_erasures"));
        using var admin = await host.ClientForAsync(Roles.AdminRole);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/v1/customers/alice/forget", null)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Forget_ACustomerWhoseIdIsTheirEmail_ErasesTheRest_AndSaysTheIdStays(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var put = await host.PutJsonAsync("/v1/customers/carol@example.com", """{"name":"卡罗尔","email":"carol@example.com"}""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var forgot = await Json.ReadAsync(await host.Client.PostAsync("/v1/customers/carol%40example.com/forget", null));
        Assert.True(forgot.GetProperty("customer_id_is_personal").GetBoolean());
        Assert.Equal(1, forgot.GetProperty("erased").GetProperty("identities").GetInt64());
        Assert.Empty(await TracesAsync(host.Store, ["卡罗尔"]));
    }

    /// <summary>Every (table.column = value) of a text column, in any table of the store, that contains one of the strings.</summary>
    internal static async Task<List<string>> TracesAsync(FlywheelStore store, IReadOnlyList<string> needles)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        var columns = new List<(string Table, string Column)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = store.Dialect.Engine == SqlEngine.Postgres
                ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
                : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND upper(p.type) LIKE '%TEXT%'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1)));
        }
        Assert.Contains(("messages", "body_html"), columns);
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {column} FROM {table} WHERE " + string.Join(" OR ", needles.Select((_, i) => $"{column} LIKE @n{i}"));
            for (var i = 0; i < needles.Count; i++) command.AddParameter("@n" + i, "%" + needles[i] + "%");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) found.Add($"{table}.{column} = {reader.GetString(0)}");
        }
        return found;
    }

    private static async Task ExecuteAsync(FlywheelStore store, string sql)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
