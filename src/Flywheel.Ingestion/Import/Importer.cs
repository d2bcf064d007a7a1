using System.Diagnostics;
using System.Text;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;
using Flywheel.Storage;
using Flywheel.Storage.Contracts;

namespace Flywheel.Ingestion.Import;

internal enum FileFormat
{
    Auto,
    Csv,
    Ndjson,
}

/// <param name="SkipBad">Load the good rows and write the rejected ones with their reasons to <c>FILE.rejects</c>.
/// Without it one bad row rejects the whole file and nothing is written.</param>
/// <param name="CreateMissing">Order lines may name SKUs not imported yet: bare products are created.</param>
internal sealed record ImportRequest(ImportKind Kind, string Path, bool SkipBad = false, bool CreateMissing = false, FileFormat Format = FileFormat.Auto);

internal sealed record ImportProgress(long Rows, long Bytes, long TotalBytes, TimeSpan Elapsed);

/// <summary>What an import did. <see cref="Error"/> is set when the file was refused; then nothing was written.</summary>
internal sealed record ImportResult(
    ImportKind Kind,
    string Path,
    long RowsRead,
    long Rejected,
    IngestCounts? Counts,
    Error? Error,
    string? RejectsPath,
    IReadOnlyList<string> Warnings,
    TimeSpan Elapsed)
{
    public bool Succeeded => Error is null;

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsRead / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Streams a CSV or NDJSON file into the store in one all-or-nothing ingest session. Memory stays constant in
/// the file's size, except for the keys of dimension files (customers, products, orders, spend), which are kept
/// to catch an id repeated within one file; events are checked against the store instead.
/// </summary>
internal static class Importer
{
    public static async Task<ImportResult> ImportAsync(FlywheelStore store, ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var path = request.Path;
        ImportResult Refuse(Error error, long rows = 0, IReadOnlyList<string>? warnings = null) =>
            new(request.Kind, path, rows, 0, null, error, null, warnings ?? [], clock.Elapsed);

        if (Directory.Exists(path)) return Refuse(Error.Invalid(path, "is a directory, not a file"));
        if (!File.Exists(path)) return Refuse(Error.NotFound(path, "file not found"));
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse(Error.Invalid(path, $"cannot read the file: {e.Message}"));
        }
        var totalBytes = file.Length;
        if (totalBytes == 0)
        {
            await file.DisposeAsync();
            return Refuse(Error.Invalid(path, "the file is empty"));
        }
        var format = request.Format != FileFormat.Auto ? request.Format
            : Path.GetExtension(path).ToLowerInvariant() is ".ndjson" or ".jsonl" or ".json" ? FileFormat.Ndjson : FileFormat.Csv;
        var name = Path.GetFileName(path);
        IRecordStream records;
        if (format == FileFormat.Csv)
        {
            var opened = CsvRecordStream.Open(file, name, request.Kind);
            if (!opened.TryGetValue(out var csv, out var headerError)) return Refuse(headerError);
            records = csv;
        }
        else
        {
            records = new NdjsonRecordStream(file, name);
        }

        using (records)
        {
            var context = new ParseContext(await store.GetSettingAsync("time_zone", "Asia/Shanghai", ct), store.Time.GetUtcNow());
            await using var session = await IngestSession.BeginAsync(store, "import:" + request.Kind.ToString().ToLowerInvariant(), Path.GetFullPath(path), ct);
            var run = new Run(request, records, session, context, name);
            var rejectsPath = request.SkipBad ? path + ".rejects" : null;
            if (rejectsPath is not null) File.Delete(rejectsPath);
            try
            {
                if (request.Kind == ImportKind.Events)
                {
                    var refused = await run.PipeEventsAsync(rejectsPath, progress, clock, totalBytes, ct);
                    if (refused is not null) return Refuse(refused, run.Rows, records.Warnings);
                    var eventCounts = await session.CommitAsync(run.Rows, run.Rejected, ct);
                    progress?.Report(new ImportProgress(run.Rows, totalBytes, totalBytes, clock.Elapsed));
                    return new ImportResult(request.Kind, path, run.Rows, run.Rejected, eventCounts, null, run.Rejected > 0 ? rejectsPath : null, records.Warnings, clock.Elapsed);
                }
                var lastReport = TimeSpan.Zero;
                while (records.Next())
                {
                    ct.ThrowIfCancellationRequested();
                    run.Rows++;
                    var error = run.Accept();
                    if (error is not null && !run.Reject(error, rejectsPath))
                        return Refuse(error, run.Rows, records.Warnings);
                    if (progress is not null && (run.Rows & 0x3FFF) == 0 && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(200))
                    {
                        lastReport = clock.Elapsed;
                        progress.Report(new ImportProgress(run.Rows, records.BytesRead, totalBytes, clock.Elapsed));
                    }
                }
                var last = run.FlushOrder();
                if (last is not null && !run.Reject(last, rejectsPath, wholeOrder: true))
                    return Refuse(last, run.Rows, records.Warnings);
                var counts = await session.CommitAsync(run.Rows, run.Rejected, ct);
                progress?.Report(new ImportProgress(run.Rows, totalBytes, totalBytes, clock.Elapsed));
                return new ImportResult(request.Kind, path, run.Rows, run.Rejected, counts, null, run.Rejected > 0 ? rejectsPath : null, records.Warnings, clock.Elapsed);
            }
            finally
            {
                run.Dispose();
            }
        }
    }

    /// <summary>The state of one import: counts, keys seen, the order being assembled, the rejects file.</summary>
    private sealed class Run(ImportRequest request, IRecordStream records, IngestSession session, ParseContext context, string file) : IDisposable
    {
        private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
        private OrderRow? _order;
        private string? _droppedOrderId;
        private long _orderLine;
        private readonly List<Action<TextWriter, string>> _orderRejects = [];
        private StreamWriter? _rejects;

        public long Rows;
        public long Rejected;

        private sealed class ParsedEvent
        {
            public EventRow? Row;
            public Error? Error;
            public long Line;
            public Action<TextWriter, string>? Reject;
        }

        /// <summary>
        /// Events are the big files, so parsing and writing overlap: this thread reads and validates batches of
        /// records while a second one writes the previous batch. Order is kept, so the first refused row is
        /// still the one reported, and nothing is committed unless every row was accepted (or skipped).
        /// </summary>
        public async Task<Error?> PipeEventsAsync(string? rejectsPath, IProgress<ImportProgress>? progress, Stopwatch clock, long totalBytes, CancellationToken ct)
        {
            const int batchSize = 1024;
            var channel = System.Threading.Channels.Channel.CreateBounded<List<ParsedEvent>>(new System.Threading.Channels.BoundedChannelOptions(8)
            {
                SingleReader = true,
                SingleWriter = true,
            });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var writer = Task.Run(() => WriteEvents(channel.Reader, rejectsPath, stop), CancellationToken.None);
            var lastReport = TimeSpan.Zero;
            try
            {
                var batch = new List<ParsedEvent>(batchSize);
                while (!stop.IsCancellationRequested && records.Next())
                {
                    Rows++;
                    var item = new ParsedEvent { Line = records.Line };
                    if (records.RecordError is { } broken) item.Error = broken;
                    else
                    {
                        var parsed = EventParser.Parse(records.Fields, context);
                        if (parsed.TryGetValue(out var row, out var error))
                        {
                            item.Row = row;
                        }
                        else item.Error = error;
                    }
                    if (request.SkipBad) item.Reject = records.CaptureReject();
                    batch.Add(item);
                    if (batch.Count == batchSize)
                    {
                        await channel.Writer.WriteAsync(batch, stop.Token);
                        batch = new List<ParsedEvent>(batchSize);
                        if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(200))
                        {
                            lastReport = clock.Elapsed;
                            progress.Report(new ImportProgress(Rows, records.BytesRead, totalBytes, clock.Elapsed));
                        }
                    }
                }
                if (batch.Count > 0 && !stop.IsCancellationRequested) await channel.Writer.WriteAsync(batch, stop.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The writer refused a row and stopped; its error is the answer.
            }
            finally
            {
                channel.Writer.TryComplete();
            }
            var refused = await writer;
            ct.ThrowIfCancellationRequested();
            return refused;
        }

        private Error? WriteEvents(System.Threading.Channels.ChannelReader<List<ParsedEvent>> reader, string? rejectsPath, CancellationTokenSource stop)
        {
            while (reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var batch))
                {
                    foreach (var item in batch)
                    {
                        var error = item.Error ?? WriteEvent(item);
                        if (error is null) continue;
                        if (rejectsPath is null)
                        {
                            stop.Cancel();
                            return error;
                        }
                        Rejected++;
                        EnsureRejects(rejectsPath);
                        item.Reject!(_rejects!, error.ToString());
                    }
                }
            }
            return null;
        }

        private Error? WriteEvent(ParsedEvent item)
        {
            var e = item.Row!;
            if (e.Type == "identify")
            {
                var linked = session.Identify(e.AnonymousId!, e.CustomerId!, e.Time, e.EventId);
                if (!linked.IsSuccess) return linked.Error! with { Path = records.WhereAt("anonymous_id", item.Line) };
            }
            var outcome = session.WriteEvent(e);
            return outcome == WriteOutcome.DuplicateInIngest
                ? Error.Conflict(records.WhereAt("event_id", item.Line), $"duplicate event_id '{e.EventId}': it appears earlier in this file")
                : null;
        }

        /// <summary>Parses and writes the current record; returns why it was refused, or null.</summary>
        public Error? Accept()
        {
            if (records.RecordError is { } broken) return broken;
            var r = records.Fields;
            switch (request.Kind)
            {
                case ImportKind.Customers:
                {
                    var parsed = CustomerParser.Parse(r, context, "import:" + file);
                    if (!parsed.TryGetValue(out var c, out var error)) return error;
                    if (Repeated(c.CustomerId) is { } first) return Error.Conflict(r.Where("customer_id"), $"duplicate customer_id '{c.CustomerId}' (first on line {first})");
                    var written = session.UpsertCustomer(c);
                    return written.IsSuccess ? null : written.Error! with { Path = r.Where(written.Error!.Path ?? "customer_id") };
                }
                case ImportKind.Products:
                {
                    var parsed = ProductParser.Parse(r, context);
                    if (!parsed.TryGetValue(out var p, out var error)) return error;
                    if (Repeated(p.Sku) is { } first) return Error.Conflict(r.Where("sku"), $"duplicate sku '{p.Sku}' (first on line {first})");
                    session.UpsertProduct(p);
                    return null;
                }
                case ImportKind.Spend:
                {
                    var parsed = SpendParser.Parse(r, context);
                    if (!parsed.TryGetValue(out var s, out var error)) return error;
                    var key = $"{s.Date:yyyy-MM-dd}|{s.Channel}|{s.Campaign}|{s.AdGroup}";
                    if (Repeated(key) is { } first)
                        return Error.Conflict(r.Where("date"), $"duplicate spend row for {s.Date:yyyy-MM-dd} / {s.Channel} / '{s.Campaign}' / '{s.AdGroup}' (first on line {first})");
                    session.UpsertSpend(s);
                    return null;
                }
                case ImportKind.Orders:
                    return AcceptOrderLine(r);
                default:
                    throw new UnreachableException();
            }
        }

        /// <summary>
        /// Lines of one order must be consecutive and agree on the order's fields; the order is written when its
        /// last line has been read. A bad line rejects the whole order.
        /// </summary>
        private Error? AcceptOrderLine(IRecordFields r)
        {
            var id = r.Get("order_id");
            if (id is not null && id == _droppedOrderId)
                return Error.Invalid(r.Where("order_id"), $"another line of order '{id}' was refused, so this line is refused with it (an order is stored whole or not at all)");
            if (_order is not null && id != _order.OrderId)
            {
                var refused = FlushOrder();
                if (refused is not null && !Reject(refused, RejectsPath, wholeOrder: true)) return refused;
            }
            var header = OrderParser.ParseHeader(r, context);
            if (!header.TryGetValue(out var order, out var headerError))
            {
                DropOrder(id);
                return headerError;
            }
            if (_order is null)
            {
                if (Repeated(order.OrderId) is { } first)
                    return Error.Conflict(r.Where("order_id"), $"order '{order.OrderId}' appears again after other orders (first on line {first}); the lines of an order must be consecutive");
                _order = order;
                _orderLine = records.Line;
            }
            else if (OrderParser.FirstDifference(_order, order) is { } field)
            {
                DropOrder(id);
                return Error.Invalid(r.Where(field), $"'{field}' differs from line {_orderLine} of the same order '{order.OrderId}'");
            }
            var line = OrderParser.ParseLine(r);
            if (!line.TryGetValue(out var orderLine, out var lineError))
            {
                DropOrder(id);
                return lineError;
            }
            _order.Lines.Add(orderLine);
            if (request.SkipBad) _orderRejects.Add(records.CaptureReject());
            return null;
        }

        private string? RejectsPath => request.SkipBad ? request.Path + ".rejects" : null;

        /// <summary>Writes the assembled order; returns the reason it was refused, or null.</summary>
        public Error? FlushOrder()
        {
            if (_order is null) return null;
            var order = _order;
            _order = null;
            var written = session.WriteOrder(order, request.CreateMissing);
            if (written.IsSuccess)
            {
                _orderRejects.Clear();
                return null;
            }
            return Error.Invalid($"{file}:{_orderLine}", written.Error!.Message);
        }

        private void DropOrder(string? orderId)
        {
            _droppedOrderId = orderId;
            if (_order is not null) Rejected += _order.Lines.Count;
            WritePendingOrderRejects("another line of this order was refused");
            _order = null;
        }

        /// <summary>Records a refused record (or a whole refused order) when skipping bad rows; false when the import must stop.</summary>
        public bool Reject(Error error, string? rejectsPath, bool wholeOrder = false)
        {
            if (rejectsPath is null) return false;
            if (wholeOrder)
            {
                Rejected += _orderRejects.Count;
                WritePendingOrderRejects(error.ToString());
                return true;
            }
            Rejected++;
            EnsureRejects(rejectsPath);
            records.WriteReject(_rejects!, error.ToString());
            return true;
        }

        private void WritePendingOrderRejects(string reason)
        {
            if (_orderRejects.Count == 0 || RejectsPath is null)
            {
                _orderRejects.Clear();
                return;
            }
            EnsureRejects(RejectsPath);
            foreach (var reject in _orderRejects) reject(_rejects!, reason);
            _orderRejects.Clear();
        }

        private void EnsureRejects(string path)
        {
            if (_rejects is not null) return;
            _rejects = new StreamWriter(path, append: false, new UTF8Encoding(false));
            records.WriteRejectHeader(_rejects);
        }

        private long? Repeated(string key)
        {
            if (_seen.TryGetValue(key, out var line)) return line;
            _seen[key] = records.Line;
            return null;
        }

        public void Dispose() => _rejects?.Dispose();
    }
}
