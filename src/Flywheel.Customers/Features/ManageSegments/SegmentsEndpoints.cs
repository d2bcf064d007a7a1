using Flywheel.Hosting.Access;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flywheel.Customers.Segments;
using Flywheel.Primitives;
using Flywheel.Hosting.Http;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flywheel.Customers.Features.ManageSegments;

/// <summary>A saved segment. sample: up to 10 member ids (in id order) where the response carries one.</summary>
internal sealed record SegmentResponse(string Name, string? Title, string Rule, long MemberCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? RefreshedAt, IReadOnlyList<string>? Sample = null);

internal sealed record SegmentListResponse(IReadOnlyList<SegmentResponse> Segments);

/// <summary>A page of members; pass next_after as ?after= for the next page (null: this was the last).</summary>
internal sealed record MembersResponse(string Segment, long MemberCount, IReadOnlyList<string> Members, string? NextAfter);

/// <summary>What a rule selects now, without saving it.</summary>
internal sealed record CheckResponse(string Rule, IReadOnlyList<string> Fields, long MemberCount, IReadOnlyList<string> Sample);

internal sealed record FieldResponse(string Name, string Type, string Signature, string Description, IReadOnlyCollection<string>? Values);

internal sealed record FieldListResponse(IReadOnlyList<FieldResponse> Fields);

internal sealed record ChangeResponse(long Id, string CustomerId, string Change, DateTimeOffset At);

internal sealed record ChangesResponse(string Segment, IReadOnlyList<ChangeResponse> Changes);

/// <summary>
/// Saved segments over HTTP (docs/segments.md): <c>/v1/segments</c> list and create, <c>/v1/segments/{name}</c> show,
/// replace and delete, <c>/members</c> (paged), <c>/export</c> (CSV), <c>/changes</c> (who entered and left),
/// <c>/v1/segments/check</c> (validate and count a rule without saving it) and <c>/v1/segments/fields</c>. A rule that
/// does not parse or type-check is a 400 naming <c>$.rule</c> with the line, column and an excerpt; nothing is stored.
/// Reads wait until every committed ingest is reflected (<c>?stale_ok=true</c> answers at once).
/// </summary>
internal static class SegmentsEndpoints
{
    private const int SampleSize = 10;
    private const int MaxPage = 10_000;

    public static void MapSegmentsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapGet("", ListAsync).Requires(Permission.CustomersRead).WithName("Segments").WithSummary("Every saved segment with its member count");
        group.MapPost("", CreateAsync).Requires(Permission.MarketingWrite).WithName("CreateSegment")
            .WithSummary("Save a segment {name, title?, rule}: its membership is computed now and kept current as data arrives")
            .Accepts<JsonElement>("application/json").Produces<SegmentResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/fields", Fields).Requires(Permission.CustomersRead).WithName("SegmentFields").WithSummary("The fields a rule may use, with their types and arguments");
        group.MapPost("/check", CheckAsync).Requires(Permission.CustomersRead).QueryTimeLimit().WithName("CheckSegmentRule")
            .WithSummary("Validate a rule {rule, sample?} and count the customers it selects now, without saving anything")
            .Accepts<JsonElement>("application/json").Produces<CheckResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{name}", ShowAsync).Requires(Permission.CustomersRead).WithName("Segment").WithSummary("A segment with its member count and a sample of members")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", PutAsync).Requires(Permission.MarketingWrite).WithName("PutSegment")
            .WithSummary("Create or replace a segment {title?, rule}; who entered and left is recorded")
            .Accepts<JsonElement>("application/json").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapDelete("/{name}", DeleteAsync).Requires(Permission.MarketingWrite).WithName("DeleteSegment").WithSummary("Delete a segment with its members and history")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{name}/members", MembersAsync).Requires(Permission.CustomersRead).QueryTimeLimit().WithName("SegmentMembers")
            .WithSummary("Member customer ids in id order: ?limit= (default 100, at most 10,000) and ?after= for the next page");
        group.MapGet("/{name}/export", ExportAsync).Requires(Permission.CustomersRead).QueryTimeLimit().ExportsPersonalData().WithName("ExportSegment").WithSummary("Every member as CSV: customer_id,entered_at");
        group.MapGet("/{name}/changes", ChangesAsync).Requires(Permission.CustomersRead).WithName("SegmentChanges")
            .WithSummary("Who entered and left, oldest first: ?after_id= (the last id seen) and ?limit=");
    }

    internal static async Task<Ok<SegmentListResponse>> ListAsync(FlywheelStore store, SegmentService segments, bool? stale_ok, CancellationToken ct)
    {
        if (stale_ok != true) await segments.CatchUpAsync(ct);
        return TypedResults.Ok(new SegmentListResponse([.. (await SegmentStore.ListAsync(store, ct)).Select(s => Response(s))]));
    }

    internal static Ok<FieldListResponse> Fields(SegmentService segments) =>
        TypedResults.Ok(new FieldListResponse([.. segments.Fields.All.Select(f =>
            new FieldResponse(f.Name, TypeName(f.Type), f.Signature, f.Description, f.Values))]));

    internal static async Task<Results<Created<SegmentResponse>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, FlywheelStore store, SegmentService segments, CustomersOptions options, CancellationToken ct)
    {
        var read = await ReadAsync(request, options, segments, nameInBody: true, ct);
        if (!read.TryGetValue(out var input, out var problem)) return problem;
        var created = await segments.CreateAsync(input.Name!, input.Title, input.Rule, ct);
        if (!created.TryGetValue(out var stored, out var error)) return Failed(error);
        return TypedResults.Created($"/v1/segments/{stored.Name}", await WithSampleAsync(store, stored, ct));
    }

    internal static async Task<Results<Ok<SegmentResponse>, Created<SegmentResponse>, ProblemHttpResult>> PutAsync(
        string name, HttpRequest request, FlywheelStore store, SegmentService segments, CustomersOptions options, CancellationToken ct)
    {
        if (SegmentNames.Check(name) is { } badName) return Problems.Invalid(badName.Message, [new ItemError(null, "name", badName.Message)]);
        var read = await ReadAsync(request, options, segments, nameInBody: false, ct);
        if (!read.TryGetValue(out var input, out var problem)) return problem;
        if (input.Name is not null && input.Name != name)
            return Problems.Invalid($"$.name: the body names segment '{input.Name}' but the URL names '{name}'",
                [new ItemError(null, "$.name", $"'{input.Name}' differs from the name in the URL ('{name}'); they must agree (or leave name out)")]);
        var replaced = await segments.ReplaceAsync(name, input.Title, input.Rule, ct);
        if (replaced.TryGetValue(out var stored, out var error)) return TypedResults.Ok(await WithSampleAsync(store, stored, ct));
        if (error.Kind != ErrorKind.NotFound) return Failed(error);
        var created = await segments.CreateAsync(name, input.Title, input.Rule, ct);
        if (!created.TryGetValue(out stored, out error)) return Failed(error);
        return TypedResults.Created($"/v1/segments/{stored.Name}", await WithSampleAsync(store, stored, ct));
    }

    internal static async Task<Results<Ok<SegmentResponse>, ProblemHttpResult>> ShowAsync(
        string name, FlywheelStore store, SegmentService segments, bool? stale_ok, CancellationToken ct)
    {
        if (stale_ok != true) await segments.CatchUpAsync(ct);
        return await SegmentStore.GetAsync(store, name, ct) is { } stored ? TypedResults.Ok(await WithSampleAsync(store, stored, ct)) : NotFound(name);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, SegmentService segments, CancellationToken ct) =>
        await segments.DeleteAsync(name, ct) ? TypedResults.NoContent() : NotFound(name);

    internal static async Task<Results<Ok<MembersResponse>, ProblemHttpResult>> MembersAsync(
        string name, FlywheelStore store, SegmentService segments, int? limit, string? after, bool? stale_ok, CancellationToken ct)
    {
        var size = limit ?? 100;
        if (size is < 1 or > MaxPage)
            return Problems.Invalid(Error.Invalid("limit", string.Create(CultureInfo.InvariantCulture, $"limit is between 1 and {MaxPage:N0} (got {size})")));
        if (stale_ok != true) await segments.CatchUpAsync(ct);
        if (await SegmentStore.GetAsync(store, name, ct) is not { } stored) return NotFound(name);
        var members = await SegmentStore.MembersAsync(store, name, size, after, ct);
        return TypedResults.Ok(new MembersResponse(name, stored.MemberCount, members, members.Count == size ? members[^1] : null));
    }

    internal static async Task<IResult> ExportAsync(string name, FlywheelStore store, SegmentService segments, bool? stale_ok, CancellationToken ct)
    {
        if (stale_ok != true) await segments.CatchUpAsync(ct);
        if (await SegmentStore.GetAsync(store, name, ct) is null) return NotFound(name);
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            await writer.WriteAsync("customer_id,entered_at\n");
            await foreach (var (id, at) in SegmentStore.AllMembersAsync(store, name, ct))
                await writer.WriteAsync($"{Csv(id)},{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}\n");
        }, "text/csv; charset=utf-8", $"{name}.csv");
    }

    internal static async Task<Results<Ok<ChangesResponse>, ProblemHttpResult>> ChangesAsync(
        string name, FlywheelStore store, SegmentService segments, long? after_id, int? limit, bool? stale_ok, CancellationToken ct)
    {
        var size = limit ?? 1000;
        if (size is < 1 or > MaxPage)
            return Problems.Invalid(Error.Invalid("limit", string.Create(CultureInfo.InvariantCulture, $"limit is between 1 and {MaxPage:N0} (got {size})")));
        if (stale_ok != true) await segments.CatchUpAsync(ct);
        if (await SegmentStore.GetAsync(store, name, ct) is null) return NotFound(name);
        var changes = await SegmentStore.ChangesAsync(store, name, after_id ?? 0, size, ct);
        return TypedResults.Ok(new ChangesResponse(name, [.. changes.Select(c => new ChangeResponse(c.Id, c.CustomerId, c.Entered ? "entered" : "exited", c.At))]));
    }

    internal static async Task<Results<Ok<CheckResponse>, ProblemHttpResult>> CheckAsync(
        HttpRequest request, SegmentService segments, CustomersOptions options, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var json, out var bodyError)) return bodyError.ToProblem();
        using var _ = json;
        var sample = SampleSize;
        if (json.Root.ValueKind == JsonValueKind.Object && json.Root.TryGetProperty("sample", out var sampleValue) && sampleValue.ValueKind != JsonValueKind.Null)
        {
            if (sampleValue.ValueKind != JsonValueKind.Number || !sampleValue.TryGetInt32(out sample) || sample is < 0 or > 100)
                return Problems.Invalid(Error.Invalid("$.sample", "sample is a whole number from 0 to 100"));
        }
        var rule = Rule(json.Root, segments.Fields);
        if (!rule.TryGetValue(out var compiled, out var problem)) return problem;
        await segments.CatchUpAsync(ct);
        var counted = await segments.CountAsync(compiled, sample, ct);
        if (!counted.TryGetValue(out var found, out var error)) return error.ToProblem();
        var (count, ids) = found;
        return TypedResults.Ok(new CheckResponse(compiled.Text, compiled.Fields, count, ids));
    }

    private sealed record Input(string? Name, string? Title, SegmentRule Rule);

    /// <summary>The body {name?, title?, rule}: every member a string, the rule compiled. Any problem names its JSON path.</summary>
    private static async Task<Outcome<Input>> ReadAsync(HttpRequest request, CustomersOptions options, SegmentService segments, bool nameInBody,
        CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(request, options.MaxRequestBytes, ct);
        if (!body.TryGetValue(out var json, out var bodyError)) return bodyError.ToProblem();
        using var _ = json;
        var root = json.Root;
        if (root.ValueKind != JsonValueKind.Object)
            return Problems.Invalid(Error.Invalid("$", $"expected a JSON object {{\"name\", \"title\", \"rule\"}}, got {root.ValueKind.ToString().ToLowerInvariant()}"));
        string? name = null, title = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("name" or "title" or "rule")) continue;
            if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return Problems.Invalid(Error.Invalid("$." + property.Name, $"{property.Name} is a string, got {property.Value.ValueKind.ToString().ToLowerInvariant()}"));
            if (property.Name == "name") name = property.Value.GetString();
            if (property.Name == "title") title = property.Value.GetString();
        }
        if (nameInBody && SegmentNames.Check(name) is { } badName) return Problems.Invalid(badName with { Path = "$.name" });
        if (SegmentNames.CheckTitle(title) is { } badTitle) return Problems.Invalid(badTitle with { Path = "$.title" });
        var rule = Rule(root, segments.Fields);
        if (!rule.TryGetValue(out var compiled, out var problem)) return problem;
        return new Input(name, title, compiled);
    }

    private static Outcome<SegmentRule> Rule(JsonElement root, FieldRegistry fields)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rule", out var value) || value.ValueKind == JsonValueKind.Null)
            return Problems.Invalid(Error.Invalid("$.rule", "a rule is required, e.g. \"orders(90d) >= 2 and consent(\\\"sms\\\")\""));
        if (value.ValueKind != JsonValueKind.String)
            return Problems.Invalid(Error.Invalid("$.rule", $"rule is a string, got {value.ValueKind.ToString().ToLowerInvariant()}"));
        if (SegmentRule.TryCompile(value.GetString()!, fields, out var rule, out var error)) return rule;
        return Problems.Create(StatusCodes.Status400BadRequest, Problems.InvalidInput, "The segment rule is invalid", $"$.rule: {error}",
            [new ItemError(null, "$.rule", error.ToString())],
            new Dictionary<string, object?> { ["line"] = error.Line, ["column"] = error.Column, ["excerpt"] = error.Excerpt });
    }

    private static async Task<SegmentResponse> WithSampleAsync(FlywheelStore store, StoredSegment stored, CancellationToken ct) =>
        Response(stored, await SegmentStore.MembersAsync(store, stored.Name, SampleSize, null, ct));

    private static SegmentResponse Response(StoredSegment s, IReadOnlyList<string>? sample = null) =>
        new(s.Name, s.Title, s.Rule, s.MemberCount, s.CreatedAt, s.UpdatedAt, s.RefreshedAt, sample);

    private static ProblemHttpResult Failed(Error error) => error.ToProblem();

    private static ProblemHttpResult NotFound(string name) =>
        Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "No such segment", $"there is no segment '{name}' (GET /v1/segments lists them)");

    private static string TypeName(SegmentType type) => type switch
    {
        SegmentType.Number => "number",
        SegmentType.Money => "money",
        SegmentType.Text => "string",
        SegmentType.Date => "date",
        SegmentType.Bool => "bool",
        _ => "list",
    };

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A value, or the problem to answer with instead.</summary>
    private readonly struct Outcome<T>
    {
        private readonly T? _value;
        private readonly ProblemHttpResult? _problem;

        private Outcome(T? value, ProblemHttpResult? problem)
        {
            _value = value;
            _problem = problem;
        }

        public static implicit operator Outcome<T>(T value) => new(value, null);

        public static implicit operator Outcome<T>(ProblemHttpResult problem) => new(default, problem);

        public bool TryGetValue(out T value, out ProblemHttpResult problem)
        {
            value = _value!;
            problem = _problem!;
            return _problem is null;
        }
    }
}
