using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Flywheel.Customers.Contracts;
using Flywheel.Customers.Profiles;
using Flywheel.Customers.Storage;
using Flywheel.Hosting.Access;
using Flywheel.Hosting.Cli;
using Flywheel.Hosting.Http;
using Flywheel.Primitives;
using Flywheel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flywheel.Customers.Features.ForgetCustomer;

/// <summary>
/// What forgetting a customer did. <see cref="AlreadyForgotten"/>: an earlier call forgot them (then every count is normally 0);
/// <see cref="ForgottenAt"/> is the first time. <see cref="CustomerIdIsPersonal"/>: the id itself is an e-mail address, a phone
/// number or an identity's value, which stays as the key of orders and events (docs/security.md says what to do).
/// </summary>
internal sealed record ForgetOutcome(string CustomerId, DateTimeOffset ForgottenAt, bool AlreadyForgotten, bool CustomerIdIsPersonal,
    IReadOnlyList<ErasedCount> Erased)
{
    public long Total => Erased.Sum(e => e.Count);
}

/// <summary>
/// Forgets one customer (PIPL Art. 47, GDPR Art. 17): blanks their name, birth date and city, deletes their identities (e-mail,
/// phone, platform buyer and WeChat ids) and current consents, blanks free-text consent sources, and has every
/// <see cref="IPersonalDataHolder"/> (Campaigns' send log, links, suppressions, journey contexts) erase theirs — in one write
/// transaction, all or nothing — then records a tombstone. Orders, lines, events, amounts, the customer id, lifecycle stage and
/// segment memberships stay, so KPIs, RFM and cohorts do not move. Idempotent: a second call erases nothing more and says so.
/// </summary>
internal sealed partial class ForgetHandler(FlywheelStore store, TimeProvider time, IEnumerable<IPersonalDataHolder> holders, ProfileHost? profiles = null)
{
    public async Task<Result<ForgetOutcome>> ForgetAsync(string customerId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(customerId)) return Error.Invalid("id", "a customer id is required");
        var result = await StoreWrite.RunAsync(store, async write =>
        {
            var (exists, forgottenAt) = await ErasureStore.FindAsync(write, customerId, ct);
            if (!exists) return (Result<ForgetOutcome>)Error.NotFound("id", $"no customer '{customerId}'");
            var addresses = await ErasureStore.IdentityValuesAsync(write, customerId, ct);
            var personalId = IsPersonal(customerId, addresses);
            var erased = await ErasureStore.EraseAsync(write, customerId, ct);
            var subject = new ForgetSubject(customerId, addresses);
            foreach (var holder in holders) erased.AddRange(await holder.EraseAsync(write, subject, ct));
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var total = erased.Sum(e => e.Count);
            await ErasureStore.RecordAsync(write, customerId, now, total, ct);
            await write.CommitAsync(ct);
            return new ForgetOutcome(customerId, DateTimeOffset.FromUnixTimeMilliseconds(forgottenAt ?? now), forgottenAt is not null, personalId, erased);
        }, ct);
        if (result.IsSuccess) profiles?.Changed(customerId);
        return result;
    }

    /// <summary>The id is one of the person's identities, or reads as an e-mail address or a (Chinese mobile or E.164) phone number.</summary>
    internal static bool IsPersonal(string customerId, IEnumerable<string> addresses) =>
        addresses.Contains(customerId, StringComparer.OrdinalIgnoreCase) || EmailLike().IsMatch(customerId) || PhoneLike().IsMatch(customerId);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailLike();

    [GeneratedRegex(@"^(?:(?:\+?86)?1[3-9][0-9]{9}|\+[0-9]{7,15})$")]
    private static partial Regex PhoneLike();
}

/// <summary>
/// <c>POST /v1/customers/{id}/forget</c> (admin) and <c>flywheel customers forget ID [--format text|json]</c>: one handler,
/// the same JSON: <c>{"customer_id", "forgotten_at", "already_forgotten", "customer_id_is_personal", "erased": {kind: count},
/// "erased_total", "kept": [...]}</c>.
/// </summary>
internal static class ForgetCustomerFeature
{
    /// <summary>What forgetting keeps, in every answer, so a caller can tell the data subject.</summary>
    private static readonly string[] Kept =
        ["customer_id", "orders", "order_lines", "events", "amounts", "lifecycle_stage", "segment_memberships", "gender", "province", "city_tier",
         "member_tier", "signup_channel", "signup_at", "time_zone", "consent_history"];

    public static void MapForgetCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        // Body-less, so no form needs to post anything; a form cannot authenticate anyway: the key travels only in the
        // Authorization or X-Api-Key header, never a cookie. Admin only: erasure cannot be undone (docs/security.md).
        app.MapGroup("/v1").WithTags("Customers")
            .MapPost("/customers/{id}/forget", ForgetAsync).Requires(Permission.Admin)
            .WithName("ForgetCustomer")
            .WithSummary("Erase one customer's personal data and identities, keeping orders, events and aggregates (PIPL Art. 47, GDPR Art. 17)")
            .WithDescription("All or nothing, idempotent (a second call erases nothing more and says already_forgotten); 404 for an unknown customer.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ForgetAsync(string id, FlywheelStore store, TimeProvider time,
        IEnumerable<IPersonalDataHolder> holders, ProfileHost profiles, CancellationToken ct)
    {
        var forgot = await new ForgetHandler(store, time, holders, profiles).ForgetAsync(id, ct);
        if (!forgot.TryGetValue(out var outcome, out var error)) return error.ToProblem();
        return TypedResults.Text(Json(outcome), "application/json");
    }

    public static Command Command(CliContext cli)
    {
        var customers = new Command("customers", "One customer's data: forget (erase personal data, keep aggregates)");
        customers.Subcommands.Add(Forget(cli));
        return customers;
    }

    private static Command Forget(CliContext cli)
    {
        var console = cli.Console;
        var id = new Argument<string>("id") { Description = "The customer id" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("forget",
            "Erase a customer's personal data and identities (name, birth date, city, e-mail, phone, platform ids, consents, message " +
            "addresses and bodies), keeping orders, events and aggregates; PIPL Art. 47 / GDPR Art. 17. Cannot be undone.") { id, format };
        command.SetAction((parse, ct) => cli.RunAsync(parse, async services =>
        {
            var handler = new ForgetHandler(services.GetRequiredService<FlywheelStore>(), cli.Time, services.GetServices<IPersonalDataHolder>());
            var forgot = await handler.ForgetAsync(parse.GetValue(id)!, ct);
            if (!forgot.TryGetValue(out var outcome, out var error)) return await cli.FailAsync(error);
            await console.Out.WriteAsync(parse.GetValue(format) == "json" ? Json(outcome) + "\n" : Text(outcome));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    internal static string Json(ForgetOutcome o)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("customer_id", o.CustomerId);
            json.WriteString("forgotten_at", o.ForgottenAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteBoolean("already_forgotten", o.AlreadyForgotten);
            json.WriteBoolean("customer_id_is_personal", o.CustomerIdIsPersonal);
            json.WriteStartObject("erased");
            foreach (var e in o.Erased) json.WriteNumber(e.Kind, e.Count);
            json.WriteEndObject();
            json.WriteNumber("erased_total", o.Total);
            json.WriteStartArray("kept");
            foreach (var k in Kept) json.WriteStringValue(k);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string Text(ForgetOutcome o)
    {
        var text = new StringBuilder();
        var at = o.ForgottenAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        text.Append(o.AlreadyForgotten
            ? $"customer {o.CustomerId} was already forgotten (first at {at}); "
            : $"forgot customer {o.CustomerId} at {at}; ");
        text.Append(o.Total == 0 ? "nothing more was erased\n" : string.Create(CultureInfo.InvariantCulture, $"{o.Total} item(s) erased:\n"));
        foreach (var e in o.Erased.Where(e => e.Count > 0))
            text.Append(CultureInfo.InvariantCulture, $"  {e.Kind,-20} {e.Count,8}\n");
        text.Append("kept: orders, order lines, events, amounts, lifecycle stage, segment memberships and the customer id (pseudonymous)\n");
        if (o.CustomerIdIsPersonal)
            text.Append(CultureInfo.InvariantCulture,
                $"warning: the customer id '{o.CustomerId}' is itself an e-mail address, phone number or identity; it stays as the key of orders and events (see docs/security.md)\n");
        return text.ToString();
    }
}
