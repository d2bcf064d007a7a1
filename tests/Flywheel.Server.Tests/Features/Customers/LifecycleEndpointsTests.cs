using System.Net;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Features.Customers;

public class LifecycleEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Refresh_RecordsTransitions_ReadByCursor(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine, new ServerOptions { LifecycleRefreshInterval = TimeSpan.Zero });
        Assert.True((await host.PutJsonAsync("/v1/customers/u1", "{}")).IsSuccessStatusCode);

        var preview = await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle"));
        Assert.False(preview.GetProperty("recorded").GetBoolean());
        Assert.Equal(1, preview.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "prospect").GetProperty("customers").GetInt32());
        Assert.Empty((await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle/transitions"))).GetProperty("transitions").EnumerateArray());

        var refresh = await Json.ReadAsync(await host.Client.PostAsync("/v1/lifecycle/refresh", null));
        Assert.Equal(1, refresh.GetProperty("transition_count").GetInt32());
        var transitions = (await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle/transitions?after=0"))).GetProperty("transitions");
        Assert.Equal(("u1", "prospect"), (transitions[0].GetProperty("customer_id").GetString(), transitions[0].GetProperty("to").GetString()));
        var id = transitions[0].GetProperty("id").GetInt64();
        Assert.Empty((await Json.ReadAsync(await host.Client.GetAsync($"/v1/lifecycle/transitions?after={id}"))).GetProperty("transitions").EnumerateArray());
    }

    [Fact]
    public async Task Server_RefreshesOnItsOwnTimer()
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite, new ServerOptions { LifecycleRefreshInterval = TimeSpan.FromMilliseconds(100) });
        Assert.True((await host.PutJsonAsync("/v1/customers/u1", "{}")).IsSuccessStatusCode);
        // Wait (bounded) for a tick to record the new customer's first stage; no timing is asserted.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var transitions = (await Json.ReadAsync(await host.Client.GetAsync("/v1/lifecycle/transitions"))).GetProperty("transitions");
            if (transitions.GetArrayLength() > 0)
            {
                Assert.Equal("prospect", transitions[0].GetProperty("to").GetString());
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("no lifecycle refresh in 30 s");
    }

    [Theory]
    [InlineData("/v1/lifecycle?as_of=2099-01-01", "$.as_of")]
    [InlineData("/v1/lifecycle?as_of=nope", "$.as_of")]
    [InlineData("/v1/lifecycle/transitions?limit=0", "$.limit")]
    [InlineData("/v1/lifecycle/transitions?after=-1", "$.after")]
    public async Task BadQuery_Is400(string url, string path)
    {
        await using var host = await ServerHost.StartAsync(TestStores.Sqlite);
        var response = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.Content.ReadAsStringAsync());
    }
}
