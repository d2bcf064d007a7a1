using Flywheel.Hosting.Access;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Web.Features.Assets;
using Flywheel.Web.Features.Exports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scalar.AspNetCore;

namespace Flywheel.Web;

/// <summary>
/// The browser console (docs/console.md): <c>GET /</c> is its page, <c>GET /console/…</c> its scripts and styles, and
/// <c>GET /console/api</c> the human-readable API reference. They are public
/// (the sign-in page must load without a key) and hold no data: every number on the page comes from the API, through the
/// session cookie of <c>POST /v1/session</c>, under the signed-in key's permissions.
/// </summary>
public static class WebModule
{
    /// <summary>The module's name in endpoint metadata.</summary>
    public const string Name = "web";

    /// <summary>Maps the console page and its assets, served from this assembly's embedded wwwroot/ with the console's security headers.</summary>
    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assets = ConsoleAssets.Load();
        var group = app.MapModuleGroup(Name, "").ExcludeFromDescription();
        group.MapGet("/", IResult (HttpContext context) => AssetEndpoints.Serve(context, assets, "index.html"))
            .Requires(Permission.Public).WithName("Console");
        group.MapGet("/console/{**path}", IResult (HttpContext context, string? path) => AssetEndpoints.Serve(context, assets, path ?? ""))
            .Requires(Permission.Public).WithName("ConsoleAsset");
        // The API page: Scalar's reference of the OpenAPI document, its script served from the package (no CDN). Like the
        // document itself it is public and holds no data; trying an operation from it needs a key like any other call.
        group.MapScalarApiReference("/console/api", options => options
                .WithTitle("Flywheel API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .Requires(Permission.Public);

        // Excel downloads of the console's tables: the page sends the rows it shows, the server writes the workbook (MiniExcel).
        app.MapModuleGroup(Name, "/v1/exports", "Exports")
            .MapPost("/xlsx", ExportXlsxAsync).Requires(Permission.SignedIn).WithName("ExportXlsx")
            .WithSummary("A table (name, column labels, rows of text/number/null cells) as an .xlsx workbook")
            .Accepts<TableExportRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: XlsxType);
        return app;
    }

    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The largest export body: a million cells of short text, well beyond any console table.</summary>
    private const long MaxExportBytes = 32L * 1024 * 1024;

    /// <summary>The body of POST /v1/exports/xlsx (documented shape; the handler parses it with paths in its errors).</summary>
    public sealed record TableExportRequest(string Name, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);

    private static async Task<IResult> ExportXlsxAsync(HttpRequest request, CancellationToken ct)
    {
        var read = await RequestBody.ReadJsonAsync(request, MaxExportBytes, ct);
        if (!read.TryGetValue(out var body, out var bodyError)) return bodyError.ToProblem();
        using var _ = body;
        if (!TableExport.Parse(body.Root).TryGetValue(out var table, out var error))
            return error.Kind == ErrorKind.TooLarge ? error.ToProblem() : Problems.Invalid(error);
        using var output = new MemoryStream();
        table.WriteXlsx(output);
        return TypedResults.File(output.ToArray(), XlsxType, fileDownloadName: table.Name + ".xlsx");
    }
}
