using Flywheel.Hosting.Access;
using System.Globalization;
using Flywheel.Analytics.Contracts;
using Flywheel.Customers.Clv;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Customers.Features.FitClv;

/// <summary>A fit request: the last day of orders to fit on (yyyy-MM-dd, the store's time zone; default today) and the unit (week or day; default week).</summary>
internal sealed record ClvFitRequest(string? CalibrationEnd, string? Unit);

/// <summary>
/// CLV over HTTP: <c>POST /v1/clv/fit</c> fits BG/NBD and Gamma-Gamma on the store's paid orders and stores the fit (201
/// with the fit, the JSON of <c>flywheel clv fit --format json</c>); <c>GET /v1/clv/fit</c> gives the latest fit;
/// <c>GET /v1/clv/customers/{id}</c> a customer's expected purchases, P(alive) and CLV from it.
/// </summary>
internal static class ClvEndpoints
{
    public static void MapClvEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/clv").WithTags("CLV");
        group.MapPost("/fit", FitAsync).Requires(Permission.MarketingWrite)
            .WithName("FitClv")
            .WithSummary("Fit BG/NBD (purchases, P(alive)) and Gamma-Gamma (spend) on paid orders up to calibration_end, and store the fit")
            .Accepts<ClvFitRequest>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json");
        group.MapGet("/fit", LatestAsync).Requires(Permission.ReportsRead)
            .WithName("ClvFit")
            .WithSummary("The latest stored CLV fit")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapGet("/customers/{id}", PredictAsync).Requires(Permission.CustomersRead)
            .WithName("CustomerClv")
            .WithSummary("A customer's expected purchases over the horizon, P(alive), expected spend and CLV (yuan) from the latest fit")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    private static readonly System.Text.Json.JsonSerializerOptions BodyJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> FitAsync(FlywheelStore store, EventIndexHost host, Flywheel.Customers.CustomerInsights insights, TimeProvider time,
        CustomersOptions options, HttpRequest http, CancellationToken ct)
    {
        // The body is optional (no body: the defaults); one that is sent is read like every other, so it must be valid JSON in UTF-8.
        ClvFitRequest? request = null;
        if (http.ContentLength is > 0 || (http.ContentLength is null && http.Headers.TransferEncoding.Count > 0))
        {
            var read = await RequestBody.ReadJsonAsync(http, options.MaxRequestBytes, ct);
            if (!read.TryGetValue(out var body, out var bad)) return bad.ToProblem();
            using (body)
            {
                try
                {
                    request = System.Text.Json.JsonSerializer.Deserialize<ClvFitRequest>(body.Root, BodyJson);
                }
                catch (System.Text.Json.JsonException e)
                {
                    return Error.Invalid(e.Path ?? "$", "calibration_end is a date as yyyy-MM-dd and unit is week or day, both text").ToProblem();
                }
            }
        }
        DateOnly? end = null;
        if (request?.CalibrationEnd is { } text)
        {
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return Problems.Invalid(Error.Invalid("$.calibration_end", $"'{text}' is not a date as yyyy-MM-dd"));
            end = day;
        }
        if (ClvUnits.Parse(request?.Unit ?? "week") is not { } unit)
            return Problems.Invalid(Error.Invalid("$.unit", $"'{request?.Unit}' is not week or day"));
        var index = await host.GetAsync(allowStale: false, ct);
        var fitted = await ClvService.FitAsync(store, index, end ?? LocalCalendar.DataEnd(index, time), unit, ct);
        if (!fitted.TryGetValue(out var fit, out var error))
            return Problems.Invalid(error with { Path = error.Path == "calibration_end" ? "$.calibration_end" : "$" });
        insights.Fit = fit; // segment fields, lifecycle and RFM use the newest fit from now on
        return TypedResults.Text(ClvJson.WriteFit(fit), "application/json", statusCode: StatusCodes.Status201Created);
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> LatestAsync(FlywheelStore store, CancellationToken ct) =>
        await ClvService.LatestAsync(store, ct) is { } fit
            ? TypedResults.Text(ClvJson.WriteFit(fit), "application/json")
            : NoFit();

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> PredictAsync(FlywheelStore store, EventIndexHost host, TimeProvider time,
        string id, int? horizon, double? discount_rate, bool? stale_ok, CancellationToken ct)
    {
        if (await ClvService.LatestAsync(store, ct) is not { } fit) return NoFit();
        var index = await host.GetAsync(stale_ok == true, ct);
        var predicted = ClvService.Predict(index, fit, id, LocalCalendar.DataEnd(index, time), horizon ?? ClvService.DefaultHorizon,
            discount_rate ?? ClvService.DefaultDiscountRate);
        if (!predicted.TryGetValue(out var prediction, out var error))
            return (error.Kind == ErrorKind.NotFound ? error : error with { Path = error.Path == "customer" ? "$" : "$." + error.Path }).ToProblem();
        return TypedResults.Text(ClvJson.WritePrediction(prediction), "application/json");
    }

    private static ProblemHttpResult NoFit() =>
        Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "No CLV fit yet", "the store has no CLV fit yet: POST /v1/clv/fit first");
}
