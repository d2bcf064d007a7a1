using Flywheel.Campaigns.Runtime;
using Flywheel.Campaigns.Templates;

namespace Flywheel.Campaigns.Tests.Templates;

public sealed class LinkPolicyTests
{
    [Theory]
    [InlineData("https://shop.example/d11?x=1")]
    [InlineData("HTTP://shop.example")]
    [InlineData("http://127.0.0.1:8080/p")]
    public void AnyHost_AllowsHttpAndHttps(string url) => Assert.Null(LinkPolicy.AnyHost.Refusal(url));

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData(" javascript:alert(1)")]
    [InlineData("data:text/html;base64,PHNjcmlwdD4=")]
    [InlineData("file:///etc/passwd")]
    [InlineData("//evil.example/x")]
    [InlineData("\\\\evil.example\\x")]
    [InlineData("mailto:a@b.example")]
    [InlineData("https:evil.example")]
    [InlineData("https://shop.example/\nSet-Cookie:x")]
    [InlineData("")]
    public void AnyHost_RefusesEverythingElse(string url) => Assert.NotNull(LinkPolicy.AnyHost.Refusal(url));

    [Fact]
    public void Hosts_AllowThemAndTheirSubdomainsOnly()
    {
        var policy = new LinkPolicy(["Shop.Example", "cdn.partner.example."]);

        Assert.Null(policy.Refusal("https://shop.example/a"));
        Assert.Null(policy.Refusal("https://m.shop.example/a"));
        Assert.Null(policy.Refusal("http://cdn.partner.example/x"));
        Assert.Contains("shop.example", policy.Refusal("https://evilshop.example/a"), StringComparison.Ordinal);
        Assert.NotNull(policy.Refusal("https://shop.example.evil.example/a"));
        Assert.NotNull(policy.Refusal("https://partner.example/x"));
        Assert.NotNull(policy.Refusal("https://shop.example@evil.example/"));
    }

    [Fact]
    public void TrackedLiterals_AreFoundWithEitherQuote()
    {
        const string text = """看 {{track "https://a.example/1"}} 和 {{ track 'javascript:alert(1)' "c"}} 和 {{track product.url}}""";

        Assert.Equal(["https://a.example/1", "javascript:alert(1)"], LinkPolicy.TrackedLiterals(text));
        Assert.Equal("javascript:alert(1)", LinkPolicy.AnyHost.FirstRefused(text)?.Url);
    }

    [Fact]
    public void Click_SignsOnlyWhatThePolicyAllows()
    {
        var links = new TrackingLinks(new byte[32], "https://fw.example", new LinkPolicy(["shop.example"]));

        Assert.StartsWith("https://fw.example/r/", links.Click("k", "https://shop.example/d11", null), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => links.Click("k", "https://other.example/", null));
        Assert.Throws<ArgumentException>(() => links.Click("k", "javascript:alert(1)", null));
    }
}
