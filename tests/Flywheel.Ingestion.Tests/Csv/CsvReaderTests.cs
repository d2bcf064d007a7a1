using System.Text;
using Flywheel.Ingestion.Csv;

namespace Flywheel.Ingestion.Tests.Csv;

public class CsvReaderTests
{
    private static List<(long Line, string[] Fields, string? Error)> ReadAll(string text, int maxField = 1 << 20) => ReadAll(Encoding.UTF8.GetBytes(text), maxField);

    private static List<(long Line, string[] Fields, string? Error)> ReadAll(byte[] bytes, int maxField = 1 << 20)
    {
        using var reader = new CsvReader(new MemoryStream(bytes), maxField);
        var rows = new List<(long, string[], string?)>();
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
                fields[i] = reader.TryGetString(i, out var s) ? s ?? "" : "<bad utf8>";
            rows.Add((reader.RecordLine, fields, reader.RecordError));
        }
        return rows;
    }

    [Fact]
    public void Read_QuotedFields_KeepCommasQuotesAndLineBreaks()
    {
        var rows = ReadAll("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,row,here\n");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["x,1", "say \"hi\"", "two\nlines"], rows[1].Fields);
        Assert.Equal(2, rows[1].Line);
        Assert.Equal(4, rows[2].Line); // the quoted line break moved the next record to line 4
    }

    [Fact]
    public void Read_CrLfBomAndBlankLines_AreHandled()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("id,name\r\n\r\n1,李雷\r\n2,韩梅梅")).ToArray();
        var rows = ReadAll(bytes);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["id", "name"], rows[0].Fields);
        Assert.Equal(["1", "李雷"], rows[1].Fields);
        Assert.Equal(3, rows[1].Line);
        Assert.Equal(["2", "韩梅梅"], rows[2].Fields);
    }

    [Fact]
    public void Read_EmptyTrailingField_IsKept()
    {
        var rows = ReadAll("a,b,\n");
        Assert.Equal(["a", "b", ""], rows[0].Fields);
    }

    [Fact]
    public void Read_UnterminatedQuote_ReportsTheLineItOpened()
    {
        var rows = ReadAll("a,b\n1,\"never closed\n2,3\n");
        Assert.Contains("opened on line 2 is never closed", rows[1].Error);
    }

    [Fact]
    public void Read_QuoteInsideUnquotedField_IsAnError()
    {
        var rows = ReadAll("a,b\n1,ab\"c\n");
        Assert.Contains("quote inside an unquoted field", rows[1].Error);
    }

    [Fact]
    public void Read_FieldOverLimit_MarksRecordAndKeepsReading()
    {
        var big = new string('x', 5000);
        var rows = ReadAll($"a,b\n1,{big}\n2,ok\n", maxField: 1024);
        Assert.Contains("longer than 1 KiB", rows[1].Error);
        Assert.Equal(["2", "ok"], rows[2].Fields);
        Assert.Null(rows[2].Error);
    }

    [Fact]
    public void Read_RecordsSpanningBufferBoundaries_AreIntact()
    {
        // Records larger than the 64 KiB read buffer and many small ones crossing its edges.
        var text = new StringBuilder("id,payload\n");
        var random = new Random(7);
        var expected = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var payload = new string((char)('a' + i % 26), random.Next(1, 200)) + (i % 10 == 0 ? ",\"q\"\n" : "");
            expected.Add(payload);
            text.Append(i).Append(',').Append('"').Append(payload.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"\n");
        }
        var rows = ReadAll(text.ToString());
        Assert.Equal(3001, rows.Count);
        for (var i = 0; i < 3000; i++) Assert.Equal(expected[i], rows[i + 1].Fields[1]);
    }

    [Fact]
    public void TryGetString_NonUtf8Bytes_Fails()
    {
        var gbk = new byte[] { (byte)'a', (byte)'\n', 0xC0, 0xEE, 0xC0, 0xD7, (byte)'\n' }; // 李雷 in GBK
        var rows = ReadAll(gbk);
        Assert.Equal("<bad utf8>", rows[1].Fields[0]);
    }
}
