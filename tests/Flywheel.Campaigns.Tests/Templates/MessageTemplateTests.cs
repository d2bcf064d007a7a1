using Flywheel.Campaigns.Templates;

namespace Flywheel.Campaigns.Tests.Templates;

public sealed class MessageTemplateTests
{
    private static readonly TemplateModel Model = new()
    {
        Customer = new TemplateCustomer("c-1", "小王", "杭州", "gold"),
        Cart = new TemplateCart(
            [
                new TemplateCartLine("SKU-1", "羊毛围巾", 1, 19_900, "https://shop.example/p/1"),
                new TemplateCartLine("SKU-2", "手工茶杯", 2, 9_950, "https://shop.example/p/2"),
            ],
            39_800),
        Coupon = TemplateCoupon.AmountOff("SAVE20", 2_000, new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.FromHours(8))),
        Points = 1_250,
        JourneyName = "弃购挽回",
        OrderId = "o-77",
        UnsubscribeUrl = "https://shop.example/u/t0k",
    };

    private static MessageTemplate Create(string? subject, string text, string? html = null)
    {
        var result = MessageTemplate.Create(new TemplateSource("t", subject, text, html));
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Value;
    }

    [Fact]
    public void Render_ChineseContent_AllParts()
    {
        var template = Create(
            "{{customer.name}}，您的购物车还在等您",
            """
            {{customer.name}}（{{customer.city}}，{{customer.member_tier}}）您好：
            {{#each cart.lines}}- {{name}} ×{{quantity}} {{price}}
            {{/each}}合计 {{cart.total}}。优惠券 {{coupon.code}} 减 {{coupon.value}}，{{coupon.expires}} 到期。
            积分 {{points}}，订单 {{order.id}}，{{journey.name}}。退订：{{unsubscribe_url}}
            """,
            "<p>{{customer.name}}：{{#each cart.lines}}<a href=\"{{url}}\">{{name}}</a>{{/each}}</p>");

        var rendered = template.Render(Model).Value;

        Assert.Equal("小王，您的购物车还在等您", rendered.Subject);
        Assert.Equal(
            """
            小王（杭州，gold）您好：
            - 羊毛围巾 ×1 ¥199.00
            - 手工茶杯 ×2 ¥99.50
            合计 ¥398.00。优惠券 SAVE20 减 ¥20.00，2026-11-30 23:59 到期。
            积分 1250，订单 o-77，弃购挽回。退订：https://shop.example/u/t0k
            """,
            rendered.Text);
        Assert.Equal("<p>小王：<a href=\"https://shop.example/p/1\">羊毛围巾</a><a href=\"https://shop.example/p/2\">手工茶杯</a></p>", rendered.Html);
    }

    [Fact]
    public void Render_HtmlPartEscapes_TextAndSubjectDoNot()
    {
        var template = Create("{{customer.name}}", "{{customer.name}}", "<b>{{customer.name}}</b>");
        var model = Model with { Customer = new TemplateCustomer("c-2", "<script>alert('x')</script> & \"王\"") };

        var rendered = template.Render(model).Value;

        Assert.Equal("<script>alert('x')</script> & \"王\"", rendered.Text);
        Assert.Equal(rendered.Text, rendered.Subject);
        Assert.DoesNotContain("<script>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("&amp;", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("王", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SubjectIsOneLine()
    {
        var template = Create("{{customer.name}}\n{{customer.city}}", "x");

        Assert.Equal("小王 杭州", template.Render(Model).Value.Subject);
    }

    [Fact]
    public void Track_UsesInjectedTracker_PerRender()
    {
        var template = Create(null, "{{track \"https://shop.example/cart\" \"双11\"}}", "{{#each cart.lines}}{{#if @first}}<a href=\"{{track url}}\">go</a>{{/if}}{{/each}}");
        var calls = new List<(string Url, string? Campaign)>();

        var rendered = template.Render(Model, (url, campaign) =>
        {
            calls.Add((url, campaign));
            return $"https://t.example/r/{calls.Count}?c={campaign}&x=1";
        }).Value;

        Assert.Equal("https://t.example/r/1?c=双11&x=1", rendered.Text);
        // Handlebars escapes '=' as well as '&' (as Handlebars.js does); browsers read both back.
        Assert.Equal("<a href=\"https://t.example/r/2?c&#x3D;&amp;x&#x3D;1\">go</a>", rendered.Html);
        Assert.Equal([("https://shop.example/cart", "双11"), ("https://shop.example/p/1", (string?)null)], calls);
    }

    [Fact]
    public void Track_WithoutTracker_PrintsUrl()
    {
        var template = Create(null, "{{track \"https://shop.example/cart\"}}");

        Assert.Equal("https://shop.example/cart", template.Render(Model).Value.Text);
    }

    [Theory]
    [InlineData(19_900L, "¥199.00")]
    [InlineData(5L, "¥0.05")]
    [InlineData(0L, "¥0.00")]
    [InlineData(123_456_789L, "¥1234567.89")]
    [InlineData(-250L, "-¥2.50")]
    public void Yuan_FormatsFen(long fen, string expected) => Assert.Equal(expected, Yuan.Format(fen));

    [Fact]
    public void YuanHelper_FormatsModelFen()
    {
        var template = Create(null, "{{yuan cart.total_fen}} {{#each cart.lines}}{{yuan price_fen}};{{/each}}");

        Assert.Equal("¥398.00 ¥199.00;¥99.50;", template.Render(Model).Value.Text);
    }

    [Fact]
    public void Render_MissingModelPart_IsClearErrorNotException()
    {
        var template = Create("{{coupon.code}}", "x");

        var result = template.Render(Model with { Coupon = null });

        Assert.False(result.IsSuccess);
        Assert.Equal("render_failed", result.Error!.Code);
        Assert.Contains("subject", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'coupon.code'", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'t'", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_GuardedMissingPart_Renders()
    {
        var template = Create(null, "{{#if coupon}}券 {{coupon.code}}{{else}}无券{{/if}}|{{#each recommendations}}{{name}}{{else}}暂无推荐{{/each}}");

        Assert.Equal("无券|暂无推荐", template.Render(Model with { Coupon = null }).Value.Text);
        Assert.Equal("券 SAVE20|暂无推荐", template.Render(Model).Value.Text);
    }

    [Fact]
    public void Render_BadHelperArgument_IsError()
    {
        var template = Create(null, "{{yuan customer.name}}");

        var result = template.Render(Model);

        Assert.False(result.IsSuccess);
        Assert.Contains("yuan", result.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("小王", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownVariable_FailsNamingIt()
    {
        var result = MessageTemplate.Create(new TemplateSource("cart-reminder", "hi", "x", "<p>\n  {{customer.nmae}}</p>"));

        Assert.False(result.IsSuccess);
        Assert.Contains("customer.nmae", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("template:cart-reminder/html:2:3", result.Error.Path);
    }

    [Fact]
    public void Variables_ListsWhatTheTemplateUses()
    {
        var template = Create("{{customer.name}}", "{{#each cart.lines}}{{price}}{{/each}}{{yuan cart.total_fen}}");

        Assert.Equal(["cart.lines", "cart.lines[].price", "cart.total_fen", "customer.name"], template.Variables);
    }

    [Fact]
    public async Task Render_Concurrently_KeepsEachTracker()
    {
        var template = Create(null, "{{track \"https://shop.example/\"}}");

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            template.Render(Model, (url, _) => $"{url}r/{i}").Value.Text)));

        Assert.Equal(Enumerable.Range(0, 64).Select(i => $"https://shop.example/r/{i}"), results);
    }
}
