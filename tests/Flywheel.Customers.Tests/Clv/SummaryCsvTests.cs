using Flywheel.Customers.Clv;

namespace Flywheel.Customers.Tests.Clv;

public class SummaryCsvTests
{
    private static SummaryFile Parse(string text) => SummaryCsv.Parse("s.csv", text.Split('\n')).Value;

    private static string Error(string text) => SummaryCsv.Parse("s.csv", text.Split('\n')).Error!.ToString();

    [Fact]
    public void Parse_AcceptsBothHeaderSpellings_AnyOrder_QuotesBomCrlfAndExtraColumns()
    {
        var lifetimes = Parse("\uFEFFID,frequency,recency,T,monetary_value\r\n1,2.0,30.43,38.86,22.35\r\n2,0,0,38.86,0\r\n");
        Assert.True(lifetimes.HasSpend);
        Assert.Equal(["1", "2"], lifetimes.Ids);
        Assert.Equal(new CustomerSummary(2, 30.43, 38.86, 22.35), lifetimes.Customers[0]);

        var paper = Parse("T,\"t_x\",note,x,id\n38.86,1.71,\"hi\",1,\"c 7\"\n");
        Assert.False(paper.HasSpend);
        Assert.Equal("c 7", paper.Ids[0]);
        Assert.Equal(new CustomerSummary(1, 1.71, 38.86), paper.Customers[0]);
    }

    [Fact]
    public void Parse_SpendOfCustomersWithoutRepeatPurchases_IsIgnored() =>
        Assert.Equal(0, Parse("ID,x,t_x,T,zbar\n1,0,0,10,99.5").Customers[0].MeanSpend);

    [Theory]
    [InlineData("ID,frequency,T\n1,2,3", "s.csv:1: missing column recency (or t_x)")]
    [InlineData("frequency,recency,T\n1,2,3", "s.csv:1: missing column ID")]
    [InlineData("", "s.csv:1: the file has no header")]
    [InlineData("ID,x,t_x,T,frequency\n1,2,3,4,2", "s.csv:1: columns 'x' and 'frequency' both give frequency")]
    [InlineData("ID,x,t_x,T\n1,2,3,4\n2,1,1,abc", "s.csv:3: column T: 'abc' is not a number")]
    [InlineData("ID,x,t_x,T\n1,2,-3,4", "s.csv:2: column t_x: -3 is negative")]
    [InlineData("ID,x,t_x,T\n1,-1,0,4", "s.csv:2: column x: -1 is not a whole number")]
    [InlineData("ID,x,t_x,T\n1,1.5,1,4", "s.csv:2: column x: 1.5 is not a whole number")]
    [InlineData("ID,x,t_x,T\n1,2,3,-4", "s.csv:2: column T: -4 is negative")]
    [InlineData("ID,x,t_x,T\n1,2,5,4", "s.csv:2: column t_x: 5 is after T 4")]
    [InlineData("ID,x,t_x,T\n1,0,2,4", "s.csv:2: column t_x: 2 with no repeat purchases")]
    [InlineData("ID,x,t_x,T\n1,2,3,4\n\n1,1,1,4", "s.csv:4: column ID: duplicate ID '1' (first on line 2)")]
    [InlineData("ID,x,t_x,T\n1,2,3", "s.csv:2: 3 fields, but the header has 4")]
    [InlineData("ID,x,t_x,T,zbar\n1,2,3,4,-5", "s.csv:2: column zbar: -5 is negative")]
    [InlineData("ID,x,t_x,T\n1,2,NaN,4", "s.csv:2: column t_x: 'NaN' is not a number")]
    [InlineData("ID,x,t_x,T\n,2,3,4", "s.csv:2: column ID: the id is empty")]
    public void Parse_BadInput_NamesFileLineAndColumn(string text, string expected) =>
        Assert.StartsWith(expected, Error(text), StringComparison.Ordinal);

    [Fact]
    public void Read_MissingFile_IsAnErrorNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-summary-" + Guid.NewGuid().ToString("N") + ".csv");
        Assert.StartsWith(path + ": cannot read the file", SummaryCsv.Read(path).Error!.ToString(), StringComparison.Ordinal);
    }
}
