using Flywheel.Campaigns.Templates;

namespace Flywheel.Campaigns.Tests.Templates;

public sealed class TemplateValidatorTests
{
    private static IReadOnlyList<TemplateError> Validate(string? subject = null, string text = "x", string? html = null) =>
        TemplateValidator.Validate(new TemplateSource("t", subject, text, html));

    [Fact]
    public void Validate_KnownVariablesAndHelpers_NoErrors()
    {
        var errors = Validate(
            "{{customer.name}} {{journey.name}}",
            """
            {{! a comment with {{customer.secret}} is ignored }}
            {{#with customer}}{{name}} {{city}} {{../points}}{{/with}}
            {{#each cart.lines}}{{@index}} {{this.sku}} {{quantity}} {{@root.customer.id}} {{../coupon.code}}{{/each}}
            {{#unless coupon}}{{else}}{{coupon.expires}}{{/unless}}
            {{#each recommendations}}{{track url "推荐"}}{{/each}}
            {{{unsubscribe_url}}} {{order.id}} {{yuan 1990}}
            """,
            "<a href=\"{{track \"https://shop.example/cart\" 'c'}}\">{{cart.total}}</a>");

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_UnknownVariable_NamesPartLineColumnAndVariable()
    {
        var errors = Validate(text: "你好\n  {{customer.nickname}}");

        var error = Assert.Single(errors);
        Assert.Equal(TemplatePart.Text, error.Part);
        Assert.Equal(2, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Equal("customer.nickname", error.Variable);
        Assert.Contains("unknown variable 'customer.nickname'", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("text:2:3:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsEveryPart()
    {
        var errors = Validate("{{subjct}}", "{{customer.name}}", "{{cart.totl}}");

        Assert.Equal([(TemplatePart.Subject, "subjct"), (TemplatePart.Html, "cart.totl")], errors.Select(e => (e.Part, e.Variable)));
    }

    [Fact]
    public void Validate_RootNameInsideEach_SuggestsParentPath()
    {
        var error = Assert.Single(Validate(text: "{{#each cart.lines}}{{customer.name}}{{/each}}"));

        Assert.Equal("cart.lines[].customer", error.Variable);
        Assert.Contains("../customer.name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{#each customer}}{{/each}}", "not a list")]
    [InlineData("{{cart.lines}}", "a list")]
    [InlineData("{{customer}}", "an object")]
    [InlineData("{{shout customer.name}}", "unknown helper 'shout'")]
    [InlineData("{{#repeat cart.lines}}{{/repeat}}", "unknown block helper")]
    [InlineData("{{#if coupon}}", "never closed")]
    [InlineData("{{#if coupon}}{{/each}}", "closes {{#if}}")]
    [InlineData("{{> footer}}", "partials")]
    [InlineData("{{yuan}}", "one amount in fen")]
    [InlineData("{{track}}", "URL")]
    [InlineData("{{@index}}", "only available inside")]
    [InlineData("{{../points}}", "above the top level")]
    [InlineData("{{yuan (add 1 2)}}", "subexpressions")]
    public void Validate_Mistake_IsExplained(string text, string expected)
    {
        var errors = Validate(text: text);

        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EmptyText_IsError() =>
        Assert.Contains(Validate(text: " "), e => e.Part == TemplatePart.Text && e.Message.Contains("required", StringComparison.Ordinal));

    [Fact]
    public void Validate_CustomSchema_ChecksAgainstIt()
    {
        var schema = new TemplateSchema(["shop.name", "items[].title"]);
        var source = new TemplateSource("t", null, "{{shop.name}}{{#each items}}{{title}}{{/each}}{{customer.name}}");

        var error = Assert.Single(TemplateValidator.Validate(source, schema));

        Assert.Equal("customer", error.Variable);
    }
}
