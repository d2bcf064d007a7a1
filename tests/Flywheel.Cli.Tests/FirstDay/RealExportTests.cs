using System.Globalization;
using System.Text.Json;
using Flywheel.Tests;

namespace Flywheel.Cli.Tests.FirstDay;

/// <summary>
/// Issue 12, "import what real exports look like": the UCI Online Retail slice and the CDNOW history, shipped in tests/ with their
/// sources and licences (Data/README.md), load through the shipped mappings with no cleaning. Cancellations, returns and guest
/// lines are kept; GMV, orders, buyers, AOV and repurchase rate equal an independent computation over the raw file; both engines.
/// </summary>
public sealed class RealExportTests : IDisposable
{
    private readonly Scratch _scratch = new("real");

    public void Dispose() => _scratch.Dispose();

    private static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Data", .. parts]);

    private string[] Store(string engine) => _scratch.NewStore(engine);

    /// <summary>
    /// The UCI figures computed from the raw CSV here, independently of Flywheel. A sale is a line with a positive quantity on an
    /// invoice not starting with C; an invoice with no sale (a C invoice, or negative quantities only) is a return invoice.
    /// </summary>
    private static (long GmvPence, int Orders, int Buyers, int RepeatBuyers, int ReturnInvoices, int GuestInvoices, int ReturnLines) UciByHand()
    {
        var invoices = File.ReadAllLines(Data("online-retail", "online_retail_2010-12-01_09.csv")).Skip(1).Select(SplitCsv)
            // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
            .Select(f => (Invoice: f[0], Quantity: int.Parse(f[3], CultureInfo.InvariantCulture), Price: decimal.Parse(f[5], CultureInfo.InvariantCulture), Customer: f[6]))
            .GroupBy(l => l.Invoice).ToList();
        bool IsSale((string Invoice, int Quantity, decimal Price, string Customer) l) => !l.Invoice.StartsWith('C') && l.Quantity > 0;
        var sales = invoices.Where(g => g.Any(IsSale)).ToList();
        var gmv = sales.SelectMany(g => g.Where(IsSale)).Sum(l => (long)(l.Quantity * l.Price * 100m));
        var byCustomer = sales.Where(g => g.First().Customer.Length > 0).GroupBy(g => g.First().Customer).ToList();
        return (gmv, sales.Count, byCustomer.Count, byCustomer.Count(c => c.Count() >= 2), invoices.Count - sales.Count,
            invoices.Count(g => g.First().Customer.Length == 0), invoices.SelectMany(g => g).Count(l => !IsSale(l)));
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task OnlineRetail_ThroughTheMapping_MatchesAnIndependentComputation(string engine)
    {
        var store = Store(engine);
        var file = Data("online-retail", "online_retail_2010-12-01_09.csv");
        var (exit, output, error) = await CliRunner.RunAsync(["import", "orders", file, "--map", "uci-online-retail", "--output", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        var expected = UciByHand();
        using (var summary = JsonDocument.Parse(output))
        {
            var s = summary.RootElement;
            Assert.Equal(22_523, s.GetProperty("rows").GetInt64());
            Assert.Equal(22_523, s.GetProperty("stored").GetInt64()); // nothing refused, nothing cleaned by hand
            Assert.Equal(0, s.GetProperty("rejected").GetInt64());
            Assert.Equal(expected.ReturnInvoices, s.GetProperty("return_invoices").GetInt64());
            Assert.Equal(expected.ReturnLines, s.GetProperty("return_lines").GetInt64()); // every negative quantity, C invoice or not
            Assert.True(s.GetProperty("returns_matched_units").GetInt64() > 0, output);
            Assert.True(s.GetProperty("returns_matched_amount").GetInt64() > 0, output);
            Assert.True(s.GetProperty("returns_unmatched_lines").GetInt64() is > 0 and < 393, output); // sales before the slice are not in it
            Assert.Equal(expected.GuestInvoices, s.GetProperty("guest_orders").GetInt64());
            Assert.Equal(expected.Orders, s.GetProperty("orders_assumed_paid").GetInt64());
            Assert.Equal("GBP", s.GetProperty("currency").GetString());
            Assert.Equal("Europe/London", s.GetProperty("time_zone").GetString());
        }

        (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var kpi = JsonDocument.Parse(output))
        {
            var total = kpi.RootElement.GetProperty("rows")[0];
            Assert.Equal(expected.GmvPence, Pence(total.GetProperty("gmv")));
            Assert.Equal(expected.Orders, total.GetProperty("orders").GetInt32());
            Assert.Equal(expected.Buyers, total.GetProperty("buyers").GetInt32()); // guests make no buyer
            Assert.Equal(Math.Round((decimal)expected.GmvPence / expected.Orders) / 100m, total.GetProperty("aov").GetDecimal());
            Assert.Equal((double)expected.RepeatBuyers / expected.Buyers, total.GetProperty("repurchase_rate").GetDouble(), 12);
            Assert.Equal("2010-12-01", kpi.RootElement.GetProperty("from").GetString());
            Assert.Equal("2010-12-09", kpi.RootElement.GetProperty("to").GetString());
        }

        // The same numbers in the overview, which reads the store by SQL rather than the index.
        (exit, output, error) = await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var overview = JsonDocument.Parse(output))
        {
            var o = overview.RootElement;
            Assert.Equal(expected.GmvPence, Pence(o.GetProperty("gmv")));
            Assert.Equal(expected.Orders, o.GetProperty("orders").GetInt32());
            Assert.Equal(expected.Buyers, o.GetProperty("buyers").GetInt32());
        }

        // Customer models leave guests out: RFM scores exactly the identified buyers.
        (exit, output, error) = await CliRunner.RunAsync(["rfm", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var rfm = JsonDocument.Parse(output))
            Assert.Equal(expected.Buyers, rfm.RootElement.GetProperty("segments").EnumerateArray().Sum(x => x.GetProperty("customers").GetInt32()));

        // Importing the same file again changes nothing and refunds nothing twice.
        (exit, output, error) = await CliRunner.RunAsync(["import", "orders", file, "--map", "uci-online-retail", "--output", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var again = JsonDocument.Parse(output))
        {
            Assert.Equal(0, again.RootElement.GetProperty("inserted").GetInt64());
            Assert.Equal(0, again.RootElement.GetProperty("updated").GetInt64());
            Assert.Equal(expected.ReturnLines, again.RootElement.GetProperty("returns_already_stored").GetInt64());
            Assert.Equal(0, again.RootElement.GetProperty("returns_matched_amount").GetInt64());
        }
    }

    /// <summary>Money as the reports write it (a JSON number, or a decimal string in the overview) in minor units.</summary>
    private static long Pence(JsonElement money) =>
        (long)((money.ValueKind == JsonValueKind.String ? decimal.Parse(money.GetString()!, CultureInfo.InvariantCulture) : money.GetDecimal()) * 100m);

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task Cdnow_RequiredColumnsAndAMapping_OverviewEqualsKpi_AndAnalysesMeasureFromTheDataEnd(string engine)
    {
        var store = Store(engine);
        var (exit, output, error) = await CliRunner.RunAsync(["import", "orders", Data("cdnow", "CDNOW_master.txt"), "--map", "cdnow", "--output", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        // Independent: the file's dollar values summed in cents; a customer's rows of one day are one order.
        var rows = File.ReadAllLines(Data("cdnow", "CDNOW_master.txt")).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var cents = rows.Sum(r => (long)(decimal.Parse(r[3], CultureInfo.InvariantCulture) * 100m));
        var orders = rows.Select(r => (r[0], r[1])).Distinct().Count();
        using (var summary = JsonDocument.Parse(output))
        {
            Assert.Equal(rows.Count, summary.RootElement.GetProperty("stored").GetInt64());
            Assert.Equal(orders, summary.RootElement.GetProperty("inserted").GetInt64());
        }

        (exit, output, error) = await CliRunner.RunAsync(["report", "overview", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        long overviewGmv;
        using (var overview = JsonDocument.Parse(output)) overviewGmv = Pence(overview.RootElement.GetProperty("gmv"));
        (exit, output, error) = await CliRunner.RunAsync(["report", "kpi", "--format", "json", .. store]);
        Assert.True(exit == ExitCodes.Ok, error);
        using (var kpi = JsonDocument.Parse(output))
        {
            var total = kpi.RootElement.GetProperty("rows")[0];
            Assert.Equal(cents, Pence(total.GetProperty("gmv")));
            Assert.Equal(overviewGmv, Pence(total.GetProperty("gmv")));
            Assert.Equal(orders, total.GetProperty("orders").GetInt32());
            Assert.Equal(23_570, total.GetProperty("buyers").GetInt32());
            Assert.Equal("1998-06-30", kpi.RootElement.GetProperty("to").GetString());
        }

        foreach (string[] analysis in (string[][])[["rfm"], ["lifecycle"], ["clv", "fit"], ["persona", "all"]])
        {
            (exit, output, error) = await CliRunner.RunAsync([.. analysis, "--format", "json", .. store]);
            Assert.True(exit == ExitCodes.Ok, $"{string.Join(' ', analysis)}: {error}");
            using var doc = JsonDocument.Parse(output);
            var day = doc.RootElement.TryGetProperty("as_of", out var asOf) ? asOf.GetString() : doc.RootElement.GetProperty("calibration_end").GetString();
            Assert.True(day == "1998-06-30", $"{string.Join(' ', analysis)} measured from {day}");
        }
    }
}
