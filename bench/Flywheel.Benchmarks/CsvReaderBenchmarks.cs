using System.Text;
using BenchmarkDotNet.Attributes;
using Flywheel.Ingestion.Csv;

namespace Flywheel.Benchmarks;

/// <summary>The CSV reader against the naive baseline (StreamReader.ReadLine + Split), on 100k event rows.</summary>
[MemoryDiagnoser]
public class CsvReaderBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.GetTempFileName();
        ImportVsSqliteShell.Generate(path, 100_000);
        _file = File.ReadAllBytes(path);
        File.Delete(path);
    }

    [Benchmark(Baseline = true)]
    public long ReadLineAndSplit()
    {
        using var reader = new StreamReader(new MemoryStream(_file), Encoding.UTF8);
        long fields = 0;
        while (reader.ReadLine() is { } line) fields += line.Split(',').Length;
        return fields;
    }

    [Benchmark]
    public long FlywheelCsvReader()
    {
        using var reader = new CsvReader(new MemoryStream(_file));
        long fields = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
                if (reader.TryGetString(i, out _)) fields++;
        }
        return fields;
    }
}
