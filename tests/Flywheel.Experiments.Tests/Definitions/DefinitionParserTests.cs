using Flywheel.Experiments.Domain.Definitions;
using Flywheel.Primitives;

namespace Flywheel.Experiments.Tests.Definitions;

public sealed class DefinitionParserTests
{
    internal const string Example = """
        {"key": "subject_test", "name": "双11预热短信标题", "hypothesis": "A countdown in the subject lifts conversion",
         "unit": "customer",
         "variants": [{"key": "control", "name": "原标题", "weight": 50, "holdout": false}, {"key": "b", "weight": 50}],
         "traffic": 1.0, "segment": null, "window_days": 14, "confidence": 0.95,
         "metrics": {"primary": "conversion", "secondary": ["revenue"], "guardrails": ["refund_rate", "unsubscribe_rate"]}}
        """;

    [Fact]
    public void Parse_TheExample_GivesEveryField()
    {
        var d = DefinitionParser.Parse(Example).Value;
        Assert.Equal("subject_test", d.Key);
        Assert.Equal("双11预热短信标题", d.Name);
        Assert.Equal("customer", d.Unit);
        Assert.Equal(["control", "b"], d.Variants.Select(v => v.Key));
        Assert.Equal("control", d.Control.Key);
        Assert.Equal("原标题", d.Control.Name);
        Assert.Equal("b", d.Variants[1].Name); // a variant without a name is called by its key
        Assert.Null(d.Holdout);
        Assert.Equal(1.0, d.Traffic);
        Assert.Equal(14, d.WindowDays);
        Assert.Equal(0.95, d.Confidence);
        Assert.Equal("conversion", d.Metrics.Primary);
        Assert.Equal(["revenue"], d.Metrics.Secondary);
        Assert.Equal(["refund_rate", "unsubscribe_rate"], d.Metrics.Guardrails);
    }

    [Fact]
    public void Parse_Minimal_TakesTheDefaults_AndWriteReadsBackTheSame()
    {
        var d = DefinitionParser.Parse("""{"key":"hold","name":"win-back holdout","variants":[{"key":"holdout","weight":10,"holdout":true},{"key":"treated","weight":90}]}""").Value;
        Assert.Equal(("customer", 1.0, 14, 0.95, "conversion"), (d.Unit, d.Traffic, d.WindowDays, d.Confidence, d.Metrics.Primary));
        Assert.Equal("holdout", d.Holdout!.Key);
        Assert.Equal("holdout", d.Control.Key);
        var again = DefinitionParser.Parse(DefinitionParser.Write(d)).Value;
        Assert.Equal(DefinitionParser.Write(d), DefinitionParser.Write(again));
        Assert.Equal(d.Variants, again.Variants);
    }

    [Theory]
    [InlineData("", "$", "JSON")]
    [InlineData("[]", "$", "JSON object")]
    [InlineData("""{"key":"A B","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.key", "a-z")]
    [InlineData("""{"name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.key", "required")]
    [InlineData("""{"key":"sample-size","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.key", "names an endpoint")]
    [InlineData("""{"key":"analyze","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.key", "names an endpoint")]
    [InlineData("""{"key":"k","name":"  ","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.name", "name")]
    [InlineData("""{"key":"k","name":7,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.name", "string, not a number")]
    [InlineData("""{"key":"k","name":"x","colour":"red","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.colour", "unknown field")]
    [InlineData("""{"key":"k","name":"x","unit":"device","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.unit", "customer or anonymous")]
    [InlineData("""{"key":"k","name":"x"}""", "$.variants", "required")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1}]}""", "$.variants", "2 to 10")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"a","weight":1}]}""", "$.variants[1].key", "unique")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"B","weight":1}]}""", "$.variants[1].key", "a-z")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":0}]}""", "$.variants[1].weight", "1 to 10000")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":10001}]}""", "$.variants[1].weight", "1 to 10000")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1e400}]}""", "$.variants[1].weight", "1 to 10000")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":99999999999999999999999}]}""", "$.variants[1].weight", "whole number")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":2.5}]}""", "$.variants[1].weight", "whole number")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":"1"}]}""", "$.variants[1].weight", "whole number")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b"}]}""", "$.variants[1].weight", "whole number")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1,"colour":1}]}""", "$.variants[1].colour", "unknown field")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1,"holdout":true},{"key":"b","weight":1,"holdout":true}]}""", "$.variants[1].holdout", "at most one")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1,"holdout":"yes"},{"key":"b","weight":1}]}""", "$.variants[0].holdout", "true or false")]
    [InlineData("""{"key":"k","name":"x","variants":[3,{"key":"b","weight":1}]}""", "$.variants[0]", "object")]
    [InlineData("""{"key":"k","name":"x","traffic":0,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.traffic", "above 0")]
    [InlineData("""{"key":"k","name":"x","traffic":1.5,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.traffic", "at most 1")]
    [InlineData("""{"key":"k","name":"x","traffic":1e400,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.traffic", "at most 1")]
    [InlineData("""{"key":"k","name":"x","window_days":91,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.window_days", "1 to 90")]
    [InlineData("""{"key":"k","name":"x","window_days":0,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.window_days", "1 to 90")]
    [InlineData("""{"key":"k","name":"x","confidence":0.5,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.confidence", "0.80 to 0.999")]
    [InlineData("""{"key":"k","name":"x","confidence":95,"variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.confidence", "0.95 for 95%")]
    [InlineData("""{"key":"k","name":"x","unit":"anonymous","segment":"vip","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.segment", "customer units")]
    [InlineData("""{"key":"k","name":"x","segment":"","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""", "$.segment", "empty")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"metrics":{"primary":"ctr"}}""", "$.metrics.primary", "no metric 'ctr'")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"metrics":{"secondary":["revenue"]}}""", "$.metrics.primary", "required")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"metrics":{"primary":"orders","guardrails":["refund_rate","nps"]}}""", "$.metrics.guardrails[1]", "no metric 'nps'")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"metrics":{"primary":"orders","secondary":["aov","aov"]}}""", "$.metrics.secondary[1]", "twice")]
    [InlineData("""{"key":"k","name":"x","variants":[{"key":"a","weight":1},{"key":"b","weight":1}],"metrics":{"primary":"orders","extra":1}}""", "$.metrics.extra", "unknown field")]
    public void Parse_BadDefinitions_NameThePath(string json, string path, string words)
    {
        var parsed = DefinitionParser.Parse(json);
        Assert.False(parsed.IsSuccess, json);
        Assert.Equal(path, parsed.Error!.Path);
        Assert.Contains(words, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKeys_AreMalformed()
    {
        var parsed = DefinitionParser.Parse("""{"key":"a","name":"x","name":"y","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]}""");
        Assert.Equal(ErrorKind.Malformed, parsed.Error!.Kind);
        Assert.Contains("name", parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TenVariantsAtMaxWeight_IsValid_ElevenIsNot()
    {
        string Of(int n) => "{\"key\":\"k\",\"name\":\"x\",\"variants\":[" + string.Join(",", Enumerable.Range(0, n).Select(i => $"{{\"key\":\"v{i}\",\"weight\":10000}}")) + "]}";
        Assert.Equal(100_000, DefinitionParser.Parse(Of(10)).Value.TotalWeight);
        Assert.Equal("$.variants", DefinitionParser.Parse(Of(11)).Error!.Path);
    }

    [Fact]
    public void ChangeError_Draft_AnythingGoes_Running_OnlyNamesAndMoreTraffic()
    {
        var d = DefinitionParser.Parse(Example).Value;
        var halfTraffic = d with { Traffic = 0.5 };
        var reweighted = d with { Variants = [d.Variants[0], d.Variants[1] with { Weight = 60 }] };
        Assert.Null(ExperimentLifecycle.ChangeError(d, reweighted, ExperimentLifecycle.Draft));
        Assert.Null(ExperimentLifecycle.ChangeError(halfTraffic, d with { Name = "新名字", Hypothesis = null }, ExperimentLifecycle.Running));
        Assert.Null(ExperimentLifecycle.ChangeError(d, d with { Name = "stopped, renamed" }, ExperimentLifecycle.Stopped));
        Assert.Equal("$.variants", ExperimentLifecycle.ChangeError(d, reweighted, ExperimentLifecycle.Running)!.Path);
        Assert.Equal(ErrorKind.Conflict, ExperimentLifecycle.ChangeError(d, reweighted, ExperimentLifecycle.Running)!.Kind);
        Assert.Equal("$.traffic", ExperimentLifecycle.ChangeError(d, halfTraffic, ExperimentLifecycle.Running)!.Path);
        Assert.Equal("$.traffic", ExperimentLifecycle.ChangeError(halfTraffic, d, ExperimentLifecycle.Stopped)!.Path);
        Assert.Equal("$.window_days", ExperimentLifecycle.ChangeError(d, d with { WindowDays = 7 }, ExperimentLifecycle.Running)!.Path);
        Assert.Equal("$.metrics", ExperimentLifecycle.ChangeError(d, d with { Metrics = d.Metrics with { Primary = "revenue" } }, ExperimentLifecycle.Running)!.Path);
        Assert.Equal("$.segment", ExperimentLifecycle.ChangeError(d, d with { Segment = "vip" }, ExperimentLifecycle.Running)!.Path);
        Assert.Equal("$.key", ExperimentLifecycle.ChangeError(d, d with { Key = "other" }, ExperimentLifecycle.Draft)!.Path);
    }
}
