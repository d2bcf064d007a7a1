using System.Diagnostics;
using System.Text;
using Flywheel.Ingestion.Parsing;
using Flywheel.Ingestion.Storage;
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
/// <param name="Mapping">How to read the file's layout (<c>--map</c>); null reads the plain CSV contract.</param>
/// <param name="Assume">What orders without a status or paid time were (<c>--assume-paid</c>); overrides the mapping's.</param>
internal sealed record ImportRequest(ImportKind Kind, string Path, bool SkipBad = false, bool CreateMissing = false, FileFormat Format = FileFormat.Auto,
    ImportMapping? Mapping = null, PaidAssumption Assume = PaidAssumption.Unstated);

/// <summary>
/// What an import found beyond rows written: guest lines, returns (matched to sold lines or not), what it assumed, and with
/// <c>--skip-bad</c> how many rows each reason refused. Money is in the store's currency, in minor units.
/// </summary>
internal sealed class ImportReport
{
    public long GuestLines { get; set; }
    public long GuestOrders { get; set; }
    public long ReturnLines { get; set; }
    public long ReturnInvoices { get; set; }
    public long ReturnUnitsMatched { get; set; }
    public long ReturnAmountMatched { get; set; }
    public long ReturnLinesUnmatched { get; set; }
    public long ReturnUnitsUnmatched { get; set; }
    public long ReturnAmountUnmatched { get; set; }
    public long ReturnLinesAlreadyStored { get; set; }
    public long OrdersAssumedPaid { get; set; }
    public long OrdersPendingUnstated { get; set; }
    public long OrdersWithLineTimes { get; set; }
    public string Currency { get; set; } = "CNY";
    /// <summary>Set when this import gave an empty store its currency.</summary>
    public string? CurrencySet { get; set; }
    public string? TimeZone { get; set; }
    /// <summary>Set when this import gave an empty store its time zone.</summary>
    public string? TimeZoneSet { get; set; }
    public SortedDictionary<string, long> RefusedByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>What the import assumed, one sentence each (empty when it assumed nothing).</summary>
    public IReadOnlyList<string> Assumptions()
    {
        var list = new List<string>();
        if (OrdersAssumedPaid > 0)
            list.Add($"{OrdersAssumedPaid:N0} orders had no status and no paid time: stored as paid at their placed time (--assume-paid)");
        if (OrdersPendingUnstated > 0)
            list.Add($"{OrdersPendingUnstated:N0} orders had no status and no paid time: stored as pending, so no report counts them as sales; " +
                     "if the export holds paid orders, import it again with --assume-paid (or assume: paid in the mapping)");
        if (OrdersWithLineTimes > 0)
            list.Add($"{OrdersWithLineTimes:N0} orders had lines stamped at different times: each order was placed at its earliest line's time");
        if (CurrencySet is not null)
            list.Add($"the store had no orders or products yet: its currency is now {CurrencySet}");
        if (TimeZoneSet is not null)
            list.Add($"the store had no orders or products yet: its time zone is now {TimeZoneSet} (days and months are counted in it)");
        return list;
    }
}

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
    TimeSpan Elapsed,
    ImportReport? Report = null)
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
        var mapping = request.Mapping;
        if (mapping?.Kind is { } mappedKind && mappedKind != request.Kind)
        {
            await file.DisposeAsync();
            return Refuse(Error.Invalid(mapping.Source, $"the mapping is for {mappedKind.ToString().ToLowerInvariant()} files, not {request.Kind.ToString().ToLowerInvariant()}"));
        }
        IRecordStream records;
        if (format == FileFormat.Csv)
        {
            var opened = CsvRecordStream.Open(file, name, request.Kind, mapping);
            if (!opened.TryGetValue(out var csv, out var headerError)) return Refuse(headerError);
            records = csv;
        }
        else
        {
            records = new NdjsonRecordStream(file, name);
        }

        using (records)
        {
            var (currency, open) = await ImportCurrency.ReadAsync(store, ct);
            var report = new ImportReport();
            if (open && mapping?.Currency is { } fileCurrency && fileCurrency != currency && !mapping.Rates.ContainsKey(fileCurrency))
                report.CurrencySet = currency = fileCurrency;
            report.Currency = currency;
            var assume = request.Assume != PaidAssumption.Unstated ? request.Assume : mapping?.Assume ?? PaidAssumption.Unstated;
            var storeZone = await store.GetSettingAsync("time_zone", "", ct);
            // An empty store takes the mapping's time zone too: its days, months and cohorts are the export's own.
            if (storeZone.Length == 0 && open && mapping?.TimeZone is { } mappedZone && mappedZone != "Asia/Shanghai") report.TimeZoneSet = mappedZone;
            var zone = mapping?.TimeZone ?? (storeZone.Length > 0 ? storeZone : "Asia/Shanghai");
            report.TimeZone = zone;
            var context = new ParseContext(zone, store.Time.GetUtcNow(), currency, assume == PaidAssumption.Paid);
            await using var session = await IngestSession.BeginAsync(store, "import:" + request.Kind.ToString().ToLowerInvariant(), Path.GetFullPath(path), ct);
            if (report.CurrencySet is not null) session.SetSetting(ImportCurrency.Setting, report.CurrencySet);
            if (report.TimeZoneSet is not null) session.SetSetting("time_zone", report.TimeZoneSet);
            var run = new Run(request, records, session, context, name, report, assume);
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
                    return new ImportResult(request.Kind, path, run.Rows, run.Rejected, eventCounts, null, run.Rejected > 0 ? rejectsPath : null, records.Warnings, clock.Elapsed, report);
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
                return new ImportResult(request.Kind, path, run.Rows, run.Rejected, counts, null, run.Rejected > 0 ? rejectsPath : null, records.Warnings, clock.Elapsed, report);
            }
            finally
            {
                run.Dispose();
            }
        }
    }

    /// <summary>The state of one import: counts, keys seen, the order being assembled, the rejects file.</summary>
    private sealed class Run(ImportRequest request, IRecordStream records, IngestSession session, ParseContext context, string file, ImportReport report,
        PaidAssumption assume) : IDisposable
    {
        private readonly MappedFields? _mapped = request.Mapping is { } m ? new MappedFields(m, context.Currency) : null;
        private readonly bool _createMissing = request.CreateMissing || request.Mapping?.CreateMissing == true;
        private readonly List<(int Line, OrderLineRow Row)> _returns = [];
        private bool _returnInvoice;
        private int _orderPosition;
        private long _earliest;

        /// <summary>The current record, read through the mapping when there is one.</summary>
        private IRecordFields Fields => _mapped?.Over(records.Fields) ?? records.Fields;

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
                        var parsed = EventParser.Parse(Fields, context);
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
                        var reason = ReasonOf(error);
                        report.RefusedByReason[reason] = report.RefusedByReason.GetValueOrDefault(reason) + 1;
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
            var r = Fields;
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
            var returnOf = Parsing.Fields.Optional(r, "return_of");
            if (!returnOf.IsSuccess)
            {
                DropOrder(id);
                return returnOf.Error;
            }
            var earliest = request.Mapping?.EarliestPlacedAt == true;
            if (_order is null)
            {
                if (Repeated(order.OrderId) is { } first)
                    return Error.Conflict(r.Where("order_id"), $"order '{order.OrderId}' appears again after other orders (first on line {first}); the lines of an order must be consecutive");
                _order = order;
                _orderLine = records.Line;
                _orderPosition = 0;
                _earliest = order.PlacedAt;
                _returns.Clear();
                _returnInvoice = request.Mapping?.ReturnPrefix is { Length: > 0 } prefix && order.OrderId.StartsWith(prefix, StringComparison.Ordinal);
                _unstated = r.Get("status") is null && r.Get("paid_at") is null && r.Get("shipped_at") is null && r.Get("completed_at") is null
                    && r.Get("refunded_at") is null;
                _linesDiffer = false;
                _returnOf = returnOf.Value;
            }
            else if (OrderParser.FirstDifference(_order, order, ignorePlacedAt: earliest) is { } field)
            {
                DropOrder(id);
                return Error.Invalid(r.Where(field), $"'{field}' differs from line {_orderLine} of the same order '{order.OrderId}'");
            }
            else
            {
                _linesDiffer |= order.PlacedAt != _order.PlacedAt;
                _earliest = Math.Min(_earliest, order.PlacedAt);
            }
            _orderPosition++;
            var quantity = r.Get("quantity");
            var returned = _returnInvoice || (quantity is not null && quantity.StartsWith('-'));
            var line = returned ? OrderParser.ParseReturnLine(r) : OrderParser.ParseLine(r);
            if (!line.TryGetValue(out var orderLine, out var lineError))
            {
                DropOrder(id);
                return lineError;
            }
            if (returned) _returns.Add((_orderPosition, orderLine));
            else _order.Lines.Add(orderLine);
            if (request.SkipBad) _orderRejects.Add(records.CaptureReject());
            return null;
        }

        private string? RejectsPath => request.SkipBad ? request.Path + ".rejects" : null;

        /// <summary>
        /// Writes the assembled order, then its returned lines as refunds of the sold lines they match; returns the reason it was
        /// refused, or null. An order of returned lines only (a return invoice) is stored as a cancelled order of those lines, so
        /// the file's rows are all kept and none of them counts as a sale.
        /// </summary>
        public Error? FlushOrder()
        {
            if (_order is null) return null;
            var order = _order;
            _order = null;
            var onlyReturns = order.Lines.Count == 0;
            var stored = Rebuild(order, _earliest, onlyReturns);
            if (onlyReturns) stored.Lines.AddRange(_returns.Select(r => r.Row));
            else stored.Lines.AddRange(order.Lines);
            var written = session.WriteOrder(stored, _createMissing);
            if (!written.IsSuccess) return Error.Invalid($"{file}:{_orderLine}", written.Error!.Message);
            _orderRejects.Clear();
            if (order.CustomerId is null)
            {
                report.GuestOrders++;
                report.GuestLines += order.Lines.Count + _returns.Count;
            }
            if (onlyReturns) report.ReturnInvoices++;
            else if (_unstated && assume == PaidAssumption.Paid) report.OrdersAssumedPaid++;
            else if (_unstated && assume == PaidAssumption.Unstated) report.OrdersPendingUnstated++;
            if (_linesDiffer) report.OrdersWithLineTimes++;
            foreach (var (line, row) in _returns)
            {
                report.ReturnLines++;
                var outcome = session.ApplyReturn(new ReturnRow
                {
                    ReturnId = order.OrderId,
                    ReturnLine = line,
                    CustomerId = order.CustomerId,
                    Sku = row.Sku,
                    Quantity = row.Quantity,
                    UnitPrice = row.UnitPrice,
                    ReturnedAt = _earliest,
                    OrderId = _returnOf,
                });
                if (outcome.AlreadyStored)
                {
                    report.ReturnLinesAlreadyStored++;
                    continue;
                }
                report.ReturnUnitsMatched += outcome.MatchedUnits;
                report.ReturnAmountMatched = checked(report.ReturnAmountMatched + outcome.MatchedAmount);
                if (outcome.UnmatchedUnits > 0)
                {
                    report.ReturnLinesUnmatched++;
                    report.ReturnUnitsUnmatched += outcome.UnmatchedUnits;
                    report.ReturnAmountUnmatched = checked(report.ReturnAmountUnmatched + outcome.UnmatchedAmount);
                }
            }
            _returns.Clear();
            return null;
        }

        private string? _returnOf;
        private bool _unstated;
        private bool _linesDiffer;

        /// <summary>The order as stored: placed at its earliest line's time, and a return invoice cancelled (it sold nothing).</summary>
        private static OrderRow Rebuild(OrderRow o, long placedAt, bool cancelled) => new()
        {
            OrderId = o.OrderId,
            CustomerId = o.CustomerId,
            Store = o.Store,
            Channel = o.Channel,
            Status = cancelled ? "cancelled" : o.Status,
            Currency = o.Currency,
            PlacedAt = placedAt,
            PaidAt = cancelled ? null : o.PaidAt == o.PlacedAt ? placedAt : o.PaidAt,
            ShippedAt = cancelled ? null : o.ShippedAt,
            CompletedAt = cancelled ? null : o.CompletedAt,
            RefundedAt = cancelled ? null : o.RefundedAt,
            ShippingFee = o.ShippingFee,
            CouponCodes = o.CouponCodes,
        };

        /// <summary>A refusal's kind, for counting: its message with the quoted values and numbers of one row taken out.</summary>
        internal static string ReasonOf(Error error) =>
            System.Text.RegularExpressions.Regex.Replace(
                System.Text.RegularExpressions.Regex.Replace(error.Message, "'[^']*'", "'…'"), @"\b\d+(\.\d+)?\b", "N");

        private void DropOrder(string? orderId)
        {
            _droppedOrderId = orderId;
            if (_order is not null)
            {
                var lines = _order.Lines.Count + _returns.Count;
                Rejected += lines;
                if (RejectsPath is not null && lines > 0)
                {
                    const string sibling = "another line of this order was refused";
                    report.RefusedByReason[sibling] = report.RefusedByReason.GetValueOrDefault(sibling) + lines;
                }
            }
            WritePendingOrderRejects("another line of this order was refused");
            _order = null;
            _returns.Clear();
        }

        /// <summary>Records a refused record (or a whole refused order) when skipping bad rows; false when the import must stop.</summary>
        public bool Reject(Error error, string? rejectsPath, bool wholeOrder = false)
        {
            if (rejectsPath is null) return false;
            var reason = ReasonOf(error);
            report.RefusedByReason[reason] = report.RefusedByReason.GetValueOrDefault(reason) + (wholeOrder ? _orderRejects.Count : 1);
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
