using Flywheel.Campaigns.Journeys;

namespace Flywheel.Campaigns.Tests.Journeys;

public sealed class TemplateVariablesTests
{
    [Theory]
    [InlineData("您好 {{customer.name}}，{{customer.city}} {{customer.member_tier}} {{customer.id}}")]
    [InlineData("{{#each cart.lines}}{{this.name}} {{name}} × {{quantity}} {{yuan price}} {{@index}}{{/each}}")]
    [InlineData("{{#if coupon.code}}{{coupon.code}} {{coupon.value}} {{coupon.expires}}{{else}}无{{/if}}")]
    [InlineData("{{#each recommendations}}<a href=\"{{track url}}\">{{this}}</a>{{/each}}")]
    [InlineData("{{{unsubscribe_url}}} {{~journey.name~}} {{points}} {{order.id}} {{yuan cart.total}} {{track \"https://x.cn/a b\"}}")]
    [InlineData("{{! a comment {{customer.nope}} }} {{!-- {{nope}} --}}纯文本 no tokens")]
    [InlineData("{{#unless coupon.code}}x{{/unless}}")]
    [InlineData("{{#if coupon.code}}a{{else if points}}b{{else}}c{{/if}}")]
    public void Known_variables_pass(string template) => Assert.Empty(TemplateVariables.Unknown(template));

    [Theory]
    [InlineData("{{customer.nmae}}", "customer.nmae")]
    [InlineData("{{customer}}", "customer")]
    [InlineData("{{name}}", "name")]
    [InlineData("{{this}}", "this")]
    [InlineData("{{@index}}", "@index")]
    [InlineData("{{yuan cart.totl}}", "cart.totl")]
    [InlineData("{{rmb cart.total}}", "rmb")]
    [InlineData("{{#each cart.lines}}{{colour}}{{/each}}", "colour")]
    [InlineData("{{#each cart.items}}{{/each}}", "cart.items")]
    [InlineData("{{#if coupon.code}}", "#if (not closed)")]
    [InlineData("{{/each}}", "/each")]
    [InlineData("{{> footer}}", "> footer")]
    [InlineData("{{customer.name", "{{")]
    [InlineData("{{#if points}}{{else if pionts}}{{/if}}", "pionts")]
    public void Unknown_variables_are_named(string template, string unknown) =>
        Assert.Equal([unknown], TemplateVariables.Unknown(template));

    [Fact]
    public void Unknown_block_helpers_and_their_arguments() =>
        Assert.Equal(["#with", "customer", "name"], TemplateVariables.Unknown("{{#with customer}}{{name}}{{/with}}"));

    [Fact]
    public void Each_unknown_once_in_order() =>
        Assert.Equal(["b.x", "a.y"], TemplateVariables.Unknown("{{b.x}} {{a.y}} {{b.x}} {{customer.name}}"));
}
