using Flywheel.Grow.Domain.Links;

namespace Flywheel.Grow.Tests.Domain;

public sealed class LinkRulesTests
{
    private static readonly HostAllowList Hosts = new(["tmall.com", "work.weixin.qq.com", " Brand.example.CN. "]);

    [Theory]
    [InlineData("https://detail.tmall.com/item.htm?id=1")]
    [InlineData("https://tmall.com/")]
    [InlineData("http://work.weixin.qq.com/ca/abc")]
    [InlineData("https://shop.brand.example.cn/new")]
    public void Check_AllowsListedHostsAndTheirSubdomains(string url) => Assert.True(Hosts.Check(url, "url").IsSuccess);

    [Theory]
    [InlineData("https://eviltmall.com/", "eviltmall.com")]
    [InlineData("https://tmall.com.evil.cn/", "tmall.com.evil.cn")]
    [InlineData("https://weixin.qq.com/", "weixin.qq.com")]
    public void Check_RefusesOtherHosts_NamingTheHost(string url, string host)
    {
        var checkedUrl = Hosts.Check(url, "url");
        Assert.False(checkedUrl.IsSuccess);
        Assert.Equal("url", checkedUrl.Error!.Path);
        Assert.Contains($"'{host}'", checkedUrl.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("//tmall.com/x")]
    [InlineData("ftp://tmall.com/x")]
    [InlineData("https://user:pw@tmall.com/")]
    [InlineData("https://tmall.com/a b")]
    [InlineData("")]
    [InlineData(null)]
    public void Check_RefusesWhatIsNotAPlainHttpAddress(string? url) => Assert.False(Hosts.Check(url, "url").IsSuccess);

    [Fact]
    public void Check_WithAnEmptyList_SaysHowToFillIt()
    {
        var refused = new HostAllowList([]).Check("https://tmall.com/", "url");
        Assert.Contains("PUT /v1/links/hosts", refused.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithUtm_AppendsTheFields_KeepsExistingParametersAndTheFragment()
    {
        var url = new Uri("https://detail.tmall.com/item.htm?id=1&utm_source=mine#sku");
        var target = LinkRules.WithUtm(url, new Utm("xiaohongshu", "kol", "social", "双11", "post 7", null));
        Assert.Equal("https://detail.tmall.com/item.htm?id=1&utm_source=mine&utm_medium=social&utm_campaign=%E5%8F%8C11&utm_content=post%207&utm_channel=xiaohongshu#sku", target);
        Assert.Equal("https://tmall.com/?utm_source=a", LinkRules.WithUtm(new Uri("https://tmall.com/"), new Utm(null, "a", null, null, null, null)));
    }

    [Fact]
    public void WithParameter_AddsOnceAndKeepsAnExistingOne()
    {
        Assert.Equal("https://work.weixin.qq.com/ca/x?utm_medium=package_card&state=a1", LinkRules.WithParameter("https://work.weixin.qq.com/ca/x?utm_medium=package_card", "state", "a1"));
        Assert.Equal("https://w.qq.com/?state=mine", LinkRules.WithParameter("https://w.qq.com/?state=mine", "state", "a1"));
    }

    [Fact]
    public void CodeFrom_IsEightBase62Characters_AndSkipsBiasedBytes()
    {
        var code = LinkRules.CodeFrom([0, 61, 62, 248, 255, 1, 2, 3, 4, 5, 6]);
        Assert.Equal(8, code.Length);
        Assert.Equal("0z012345", code);
        Assert.All(Enumerable.Range(0, 200).Select(_ => Flywheel.Grow.Features.Links.LinksHandler.NewCode()), c => Assert.Matches("^[0-9A-Za-z]{8}$", c));
    }

    [Theory]
    [InlineData("abcd", true)]
    [InlineData("pc-2026_a", true)]
    [InlineData("abc", false)]
    [InlineData("a/b/c/d", false)]
    [InlineData("<script>", false)]
    [InlineData("abcdefghijabcdefghijabcdefghijabc", false)]
    public void IsWellFormedCode(string code, bool ok) => Assert.Equal(ok, LinkRules.IsWellFormedCode(code));

    [Fact]
    public void ChosenCode_ThatIsARouteWord_IsRefused() => Assert.NotNull(LinkRules.CheckChosenCode("funnel", "code"));
}
