using System.Globalization;
using System.Text;
using Flywheel.Customers.Segments;

namespace Flywheel.Customers.Tests.Segments;

public sealed class RuleParserTests
{
    /// <summary>The tree as text: (a | b) for or, (a &amp; b) for and, !a for not, conditions in a canonical form.</summary>
    private static string Tree(string rule)
    {
        var (node, error) = RuleParser.Parse(rule);
        Assert.True(node is not null, error?.ToString());
        return Render(node!);
    }

    private static string Render(RuleNode node) => node switch
    {
        OrNode or => "(" + string.Join(" | ", or.Parts.Select(Render)) + ")",
        AndNode and => "(" + string.Join(" & ", and.Parts.Select(Render)) + ")",
        NotNode not => "!" + Render(not.Operand),
        ConditionNode c => Field(c.Field) + c.Kind switch
        {
            ConditionKind.Truth => "",
            ConditionKind.Compare => $" {c.Op} {Value(c.Values[0])}",
            ConditionKind.In => $"{(c.Negated ? " not" : "")} in [{string.Join(", ", c.Values.Select(Value))}]",
            ConditionKind.Between => $"{(c.Negated ? " not" : "")} between {Value(c.Values[0])} {Value(c.Values[1])}",
            _ => $"{(c.Negated ? " not" : "")} contains {Value(c.Values[0])}",
        },
        _ => throw new InvalidOperationException(),
    };

    private static string Field(FieldNode f) => f.Called ? $"{f.Name}({string.Join(", ", f.Arguments.Select(Value))})" : f.Name;

    private static string Value(ValueNode v) => v.Value switch
    {
        string s => $"\"{s}\"",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        var other => other.ToString()!,
    };

    private static RuleError Error(string rule)
    {
        var (node, error) = RuleParser.Parse(rule);
        Assert.Null(node);
        return Assert.IsType<RuleError>(error);
    }

    [Fact]
    public void Parse_TheIssueExample()
    {
        Assert.Equal(
            "(orders(90d) GreaterOrEqual 2 & days_since_last_order LessOrEqual 30 & first_channel in [\"xiaohongshu\", \"douyin\"] & " +
            "rfm_segment Equal \"at_risk\" & city_tier LessOrEqual 2 & consent(\"sms\"))",
            Tree("""orders(90d) >= 2 and days_since_last_order <= 30 and first_channel in ("xiaohongshu", "douyin") and rfm_segment = "at_risk" and city_tier <= 2 and consent("sms")"""));
    }

    [Theory]
    [InlineData("a or b and c", "(a | (b & c))")]
    [InlineData("a and b or c", "((a & b) | c)")]
    [InlineData("not a and b", "(!a & b)")]
    [InlineData("not a or not b and c", "(!a | (!b & c))")]
    [InlineData("(a or b) and c", "((a | b) & c)")]
    [InlineData("not (a or b)", "!(a | b)")]
    [InlineData("not not a", "!!a")]
    [InlineData("a or b or c", "(a | b | c)")]
    [InlineData("a AND b Or NOT c", "((a & b) | !c)")]
    [InlineData("((a))", "a")]
    public void Parse_PrecedenceIsOrThenAndThenNot(string rule, string tree) => Assert.Equal(tree, Tree(rule));

    [Theory]
    [InlineData("x = 1", "x Equal 1")]
    [InlineData("x == 1", "x Equal 1")]
    [InlineData("x != 1", "x NotEqual 1")]
    [InlineData("x <> 1", "x NotEqual 1")]
    [InlineData("x < 1.5", "x Less 1.5")]
    [InlineData("x <= -2", "x LessOrEqual -2")]
    [InlineData("x > 0", "x Greater 0")]
    [InlineData("x >= 2026-01-01", "x GreaterOrEqual 2026-01-01")]
    [InlineData("x >= date(\"2026-01-01\")", "x GreaterOrEqual 2026-01-01")]
    [InlineData("x in (\"a\", 'b')", "x in [\"a\", \"b\"]")]
    [InlineData("x in [1]", "x in [1]")]
    [InlineData("x not in (1, 2)", "x not in [1, 2]")]
    [InlineData("x between 1 and 5", "x between 1 5")]
    [InlineData("x not between 2026-01-01 and 2026-06-30", "x not between 2026-01-01 2026-06-30")]
    [InlineData("x contains \"杭\"", "x contains \"杭\"")]
    [InlineData("x not contains \"a\"", "x not contains \"a\"")]
    [InlineData("x = true", "x Equal true")]
    [InlineData("x != false", "x NotEqual false")]
    [InlineData("consent(\"sms\", \"marketing\")", "consent(\"sms\", \"marketing\")")]
    [InlineData("events(\"add_to_cart\", 7d) >= 1", "events(\"add_to_cart\", 7d) GreaterOrEqual 1")]
    [InlineData("orders() >= 1", "orders() GreaterOrEqual 1")]
    [InlineData("gmv(6m) > 99.9", "gmv(6m) Greater 99.9")]
    [InlineData("orders(1y) > 0 and orders(12w) > 0 and orders(24h) > 0", "(orders(1y) Greater 0 & orders(12w) Greater 0 & orders(24h) Greater 0)")]
    [InlineData("x = \"say \\\"hi\\\"\\n\\u4E2D\"", "x Equal \"say \"hi\"\n中\"")]
    [InlineData("x = 'it\\'s'", "x Equal \"it's\"")]
    [InlineData("City_Tier <= 2", "city_tier LessOrEqual 2")]
    public void Parse_EveryOperatorAndLiteral(string rule, string tree) => Assert.Equal(tree, Tree(rule));

    [Fact]
    public void Parse_Duration_KeepsCountAndUnit()
    {
        var (node, _) = RuleParser.Parse("orders(6m) >= 1");
        var condition = Assert.IsType<ConditionNode>(node);
        Assert.Equal(new TimeWindow(6, WindowUnit.Month), condition.Field.Arguments[0].Value);
    }

    [Theory]
    [InlineData("orders(90d) >= and city_tier <= 2", 1, 16, "unexpected 'and', expected a value")]
    [InlineData("orders(90d) >= 2 city_tier <= 2", 1, 18, "unexpected 'city_tier', expected and, or or the end of the rule")]
    [InlineData("orders(90d) >= 2\nand city_tier <=", 2, 17, "unexpected the end of the rule, expected a value")]
    [InlineData("orders(90d) >= 2\r\n  and (city_tier <= 2", 2, 22, "unexpected the end of the rule, expected and, or or ')'")]
    [InlineData("orders >= 1)", 1, 12, "unexpected ')', expected and, or or the end of the rule")]
    [InlineData("and orders >= 1", 1, 1, "unexpected 'and', expected a field name, '(' or not")]
    [InlineData("2 <= orders(90d)", 1, 1, "unexpected '2', expected a field name (a condition starts with the field")]
    [InlineData("city = \"杭州", 1, 8, "this string is never closed")]
    [InlineData("a && b", 1, 3, "unexpected '&&': write and")]
    [InlineData("a || b", 1, 3, "unexpected '||': write or")]
    [InlineData("!consent(\"sms\")", 1, 1, "unexpected '!': write not")]
    [InlineData("orders(90x) > 1", 1, 8, "unexpected '90x': a duration is a whole number and one of h (hours), d (days), w (weeks), m (months) or y (years)")]
    [InlineData("orders(1.5d) > 1", 1, 8, "unexpected '1.5d'")]
    [InlineData("last_order_date > 2026-13-01", 1, 19, "'2026-13-01' is not a date")]
    [InlineData("x >= date(\"2026-02-30\")", 1, 11, "'2026-02-30' is not a date")]
    [InlineData("first_channel in （\"douyin\"）", 1, 18, "unexpected '（' (a full-width character): write the ASCII '(' instead")]
    [InlineData("first_channel in \"douyin\"", 1, 18, "unexpected '\"douyin\"', expected '(' and a list of values")]
    [InlineData("first_channel in (\"douyin\" \"jd\")", 1, 28, "unexpected '\"jd\"', expected ',' or ')'")]
    [InlineData("age between 18 30", 1, 16, "unexpected '30', expected and (between takes two values")]
    [InlineData("orders(90d >= 1", 1, 12, "unexpected '>=', expected ',' or ')'")]
    [InlineData("first_order_date >= last_order_date", 1, 21, "(a field can only be compared with a value, not with another field)")]
    [InlineData("x = \"a\\q\"", 1, 7, "unknown escape '\\q'")]
    [InlineData("gender not = \"male\"", 1, 12, "unexpected '=', expected in, between or contains after not")]
    [InlineData("x = -\"a\"", 1, 6, "unexpected '\"a\"', expected a number after '-'")]
    [InlineData("x = 1 # comment", 1, 7, "unexpected '#'")]
    [InlineData("", 1, 1, "the rule is empty")]
    [InlineData("   \n  ", 1, 1, "the rule is empty")]
    public void Parse_SyntaxError_NamesLineColumnWhatWasFoundAndWhatWasExpected(string rule, int line, int column, string message)
    {
        var error = Error(rule);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}, column {column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Error_Excerpt_PutsACaretUnderTheToken()
    {
        var error = Error("orders(90d) >= 2\nand city_tier <= maybe");
        Assert.Equal("and city_tier <= maybe\n                 ^^^^^", error.Excerpt);
    }

    [Fact]
    public void Error_Excerpt_OfAVeryLongLine_ShowsTheNeighbourhood()
    {
        var rule = string.Concat(Enumerable.Repeat("orders(90d) >= 1 and ", 20)) + "oops oops";
        var error = Error(rule);
        var lines = error.Excerpt.Split('\n');
        Assert.True(lines[0].Length <= 86, lines[0]);
        Assert.Equal(lines[0].IndexOf("oops oops", StringComparison.Ordinal) + 5, lines[1].IndexOf('^', StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RuleOf100KB_IsRefusedWithItsLength()
    {
        var rule = new StringBuilder("orders(90d) >= 1");
        while (rule.Length < 100 * 1024) rule.Append(" or orders(90d) >= 1");
        var error = Error(rule.ToString());
        Assert.Contains("at most 10,000 are accepted", error.Message, StringComparison.Ordinal);
        Assert.Contains(rule.Length.ToString("N0", CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_1000NestedParentheses_IsRefusedAtTheFirstLevelTooDeep()
    {
        var error = Error(new string('(', 1000) + "orders >= 1" + new string(')', 1000));
        Assert.Equal((1, RuleParser.MaxDepth + 1), (error.Line, error.Column));
        Assert.Contains("more than 64 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotsCountAsNesting()
    {
        Assert.Contains("levels deep", Error(string.Concat(Enumerable.Repeat("not ", 65)) + "a").Message, StringComparison.Ordinal);
        Assert.Equal("a", Tree(new string('(', 64) + "a" + new string(')', 64)));
    }

    [Fact]
    public void Parse_AtTheLengthLimit_IsAccepted()
    {
        var rule = new StringBuilder("orders(90d) >= 1");
        while (rule.Length + 21 <= RuleParser.MaxLength) rule.Append(" or orders(90d) >= 1");
        Assert.NotNull(RuleParser.Parse(rule.ToString()).Rule);
    }
}
