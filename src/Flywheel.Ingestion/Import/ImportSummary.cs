namespace Flywheel.Ingestion.Import;

/// <summary>The summary of an import as JSON fields: what <c>import --output json</c> prints and <c>POST /v1/imports</c> answers.</summary>
internal static class ImportSummary
{
    public static Dictionary<string, object?> Of(ImportResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = r.Counts!;
        var report = r.Report ?? new ImportReport();
        return new Dictionary<string, object?>
        {
            ["kind"] = r.Kind.ToString().ToLowerInvariant(),
            ["file"] = r.Path,
            ["rows"] = r.RowsRead,
            ["stored"] = r.RowsRead - r.Rejected,
            ["inserted"] = c.Inserted,
            ["updated"] = c.Updated,
            ["unchanged"] = c.Unchanged,
            ["duplicates"] = c.Duplicates,
            ["rejected"] = r.Rejected,
            ["rejects_file"] = r.RejectsPath,
            ["refused_by_reason"] = report.RefusedByReason,
            ["customers_created"] = c.BareCustomersCreated,
            ["products_created"] = c.BareProductsCreated,
            ["events_stitched"] = c.EventsStitched,
            ["guest_lines"] = report.GuestLines,
            ["guest_orders"] = report.GuestOrders,
            ["return_lines"] = report.ReturnLines,
            ["return_invoices"] = report.ReturnInvoices,
            ["returns_matched_units"] = report.ReturnUnitsMatched,
            ["returns_matched_amount"] = report.ReturnAmountMatched,
            ["returns_unmatched_lines"] = report.ReturnLinesUnmatched,
            ["returns_unmatched_units"] = report.ReturnUnitsUnmatched,
            ["returns_unmatched_amount"] = report.ReturnAmountUnmatched,
            ["returns_already_stored"] = report.ReturnLinesAlreadyStored,
            ["orders_assumed_paid"] = report.OrdersAssumedPaid,
            ["orders_pending_unstated"] = report.OrdersPendingUnstated,
            ["currency"] = report.Currency,
            ["time_zone"] = report.TimeZone,
            ["assumptions"] = report.Assumptions(),
            ["warnings"] = r.Warnings,
            ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
            ["rows_per_second"] = Math.Round(r.RowsPerSecond),
        };
    }
}
