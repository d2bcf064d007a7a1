using System.Net;
using Flywheel.Hosting.Access;
using Flywheel.Tests;

namespace Flywheel.Server.Tests.Access;

/// <summary>Issue 13: personal data reaches marketer and admin in clear, analyst masked (PIPL data minimisation), and reading it is audited.</summary>
public sealed class MaskingTests
{
    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Profile_ShowsTheBirthDateByRole_AndEveryReadIsAudited(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var put = await host.PutJsonAsync("/v1/customers/u1", """{"birth_date":"1990-05-17","gender":"female","phone":"13812341234"}""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        async Task<string?> BirthDateAs(string role)
        {
            using var client = await host.ClientForAsync(role);
            var response = await client.GetAsync("/v1/customers/u1/profile");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await Json.ReadAsync(response)).GetProperty("attributes").GetProperty("birth_date").GetString();
        }
        Assert.Equal("1990-05-17", await BirthDateAs(Roles.Marketer));
        Assert.Equal("1990-05-17", await BirthDateAs(Roles.AdminRole));
        Assert.Equal("1990", await BirthDateAs(Roles.Analyst));
        using (var viewer = await host.ClientForAsync(Roles.Viewer))
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/v1/customers/u1/profile")).StatusCode);

        var reads = (await new AuditLog(host.Store).ListAsync(100, CancellationToken.None)).Where(e => e.Route == "/v1/customers/{id}/profile").ToList();
        Assert.Equal(4, reads.Count); // three served reads and the viewer's refusal
        Assert.All(reads, e => Assert.Equal("id=u1", e.Target));
        Assert.Contains(reads, e => e.Status == 403 && e.KeyName == Roles.Viewer);
    }

    [Theory]
    [MemberData(nameof(TestStores.Engines), MemberType = typeof(TestStores))]
    public async Task Profile_ShowsNamePhoneAndEmailInClear_OnlyToRolesWithPersonalData(string engine)
    {
        await using var host = await ServerHost.StartAsync(engine);
        var put = await host.PutJsonAsync("/v1/customers/u1", """{"name":"王小明","phone":"13812341234","email":"zhangsan@qq.com"}""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        async Task<(string?, string?, string?)> IdentityAs(string role)
        {
            using var client = await host.ClientForAsync(role);
            var identity = (await Json.ReadAsync(await client.GetAsync("/v1/customers/u1/profile"))).GetProperty("identity");
            return (identity.GetProperty("name").GetString(), identity.GetProperty("phone").GetString(), identity.GetProperty("email").GetString());
        }
        Assert.Equal(("王小明", "13812341234", "zhangsan@qq.com"), await IdentityAs(Roles.Marketer));
        Assert.Equal(("王小明", "13812341234", "zhangsan@qq.com"), await IdentityAs(Roles.AdminRole));
        Assert.Equal(("王**", "138****1234", "z***@qq.com"), await IdentityAs(Roles.Analyst));
    }

    [Theory]
    [InlineData("13812341234", "138****1234")]
    [InlineData("+86 138-1234-1234", "138****1234")]
    [InlineData("12", "**")]
    public void Phone_KeepsThreeAndFourDigits(string phone, string masked) => Assert.Equal(masked, Masking.Phone(phone));

    [Fact]
    public void Masks_KeepOnlyWhatRecognises()
    {
        Assert.Equal("z***@qq.com", Masking.Email("zhangsan@qq.com"));
        Assert.Equal("***", Masking.Email("not-an-address"));
        Assert.Equal("王**", Masking.Name("王小明"));
        Assert.Equal("1990", Masking.BirthDate("1990-05-17"));
        Assert.Equal("tb***", Masking.Identity("taobao", "tb_buyer_9988"));
        Assert.Equal("138****1234", Masking.Identity("phone", "13812341234"));
        Assert.Null(Masking.Phone(null));
    }
}
