namespace Flywheel.Campaigns.Tests;

public sealed class ProjectTests
{
    [Fact]
    public void Polly_and_Handlebars_load()
    {
        var template = HandlebarsDotNet.Handlebars.Compile("你好 {{name}}");
        Assert.Equal("你好 小王", template(new { name = "小王" }));
        Assert.NotNull(new Polly.ResiliencePipelineBuilder().Build());
    }
}
