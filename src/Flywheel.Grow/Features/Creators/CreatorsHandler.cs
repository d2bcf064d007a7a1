using System.Text.Json;
using Flywheel.Analytics.Contracts;
using Flywheel.Grow.Domain;
using Flywheel.Grow.Domain.Creators;
using Flywheel.Grow.Domain.Links;
using Flywheel.Grow.Features.Links;
using Flywheel.Grow.Storage;
using Flywheel.Ingestion.Contracts;
using Flywheel.Primitives;
using Flywheel.Promotions.Contracts;
using Flywheel.Storage;

namespace Flywheel.Grow.Features.Creators;

/// <summary>A creator as a caller gives it (JSON body or command line); checked by <see cref="CreatorRules"/>.</summary>
internal sealed record CreatorInput(string? CreatorId, string? Name, string? Platform, long? Followers, string? Tier, string? Category);

/// <summary>
/// A collaboration as a caller gives it. The exclusive coupon code is either issued now from <see cref="CouponBatchId"/> through
/// the coupon ledger, or a code issued elsewhere given as <see cref="CouponCode"/> (not both). The tracking link likewise: a
/// <see cref="LinkUrl"/> (a destination on the allow-list) makes the collaboration's exclusive link now, or <see cref="LinkCode"/>
/// names one made elsewhere (not both).
/// </summary>
internal sealed record CollaborationInput(string? CollabId, string? CreatorId, string? Title, long? Fee, long? CommissionBp, string? Deliverables,
    string? PostingAt, string? LinkCode, string? CouponCode, string? CouponBatchId, string? Status, string? LinkUrl = null);

/// <summary>
/// Tracking-link attribution, the hook for the links part: orders a collaboration's exclusive link brought (order id → collab id)
/// among those paid in [from, to). AddGrow registers <see cref="Storage.LinkOrders"/> (clicks on the collaboration's links, the orders
/// that followed within 7 days); <see cref="NoLinkOrders"/> knows no links. The creator report and payouts take it between codes and the model.
/// </summary>
internal interface ICollaborationLinkOrders
{
    Task<IReadOnlyDictionary<string, string>> OrdersAsync(IReadOnlyList<Collaboration> collaborations, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

internal sealed class NoLinkOrders : ICollaborationLinkOrders
{
    public Task<IReadOnlyDictionary<string, string>> OrdersAsync(IReadOnlyList<Collaboration> collaborations, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct) => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}

/// <summary>Creators, collaborations, the creator ROI report and the monthly payout: one handler both surfaces call.</summary>
internal sealed class CreatorsHandler(FlywheelStore store, CreatorStore creators, ICouponIssuer coupons, ICollaborationLinkOrders links, TimeProvider time,
    LinksHandler? linkMaker = null)
{
    public const int MaxLinkCodeLength = 64;

    public static readonly IReadOnlyList<string> CreatorFields = ["creator_id", "name", "platform", "followers", "tier", "category"];

    public static readonly IReadOnlyList<string> CollaborationFields =
        ["collab_id", "creator_id", "title", "fee", "commission_bp", "deliverables", "posting_at", "link_code", "coupon_code", "coupon_batch_id", "status", "link_url"];

    public static readonly IReadOnlyList<string> UpdateFields = ["status", "link_code"];

    public static Result<CreatorInput> ParseCreator(JsonElement root)
    {
        var f = new CreatorsJson.Fields(root, CreatorFields);
        if (f.Check() is { } bad) return bad;
        var id = f.Text("creator_id"); var name = f.Text("name"); var platform = f.Text("platform"); var tier = f.Text("tier"); var category = f.Text("category");
        var followers = f.Whole("followers");
        foreach (var e in new[] { id.Error, name.Error, platform.Error, followers.Error, tier.Error, category.Error })
            if (e is not null) return e;
        return new CreatorInput(id.Value, name.Value, platform.Value, followers.Value, tier.Value, category.Value);
    }

    public static Result<CollaborationInput> ParseCollaboration(JsonElement root)
    {
        var f = new CreatorsJson.Fields(root, CollaborationFields);
        if (f.Check() is { } bad) return bad;
        var texts = new Dictionary<string, Result<string?>>();
        foreach (var name in new[] { "collab_id", "creator_id", "title", "deliverables", "posting_at", "link_code", "coupon_code", "coupon_batch_id", "status", "link_url" })
            texts[name] = f.Text(name);
        var fee = f.Whole("fee");
        var bp = f.Whole("commission_bp");
        foreach (var e in texts.Values.Select(t => t.Error).Append(fee.Error).Append(bp.Error))
            if (e is not null) return e;
        return new CollaborationInput(texts["collab_id"].Value, texts["creator_id"].Value, texts["title"].Value, fee.Value, bp.Value, texts["deliverables"].Value,
            texts["posting_at"].Value, texts["link_code"].Value, texts["coupon_code"].Value, texts["coupon_batch_id"].Value, texts["status"].Value,
            texts["link_url"].Value);
    }

    public static Result<(string? Status, string? LinkCode)> ParseUpdate(JsonElement root)
    {
        var f = new CreatorsJson.Fields(root, UpdateFields);
        if (f.Check() is { } bad) return bad;
        var status = f.Text("status");
        var link = f.Text("link_code");
        if ((status.Error ?? link.Error) is { } e) return e;
        if (status.Value is null && link.Value is null) return Error.Invalid("status", "give the new status (or a link_code)");
        return (status.Value, link.Value);
    }

    public async Task<Result<(Creator Creator, bool Added)>> AddCreatorAsync(CreatorInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var checkedCreator = CreatorRules.Creator(input.CreatorId, input.Name, input.Platform, input.Followers, input.Tier, input.Category);
        if (!checkedCreator.TryGetValue(out var creator, out var error)) return error;
        var saved = await creators.SaveCreatorsAsync([creator], ct);
        return (creator, saved.Added == 1);
    }

    /// <summary>A creators CSV, all or nothing: one bad row and nothing is stored.</summary>
    public async Task<Result<CreatorsSaved>> ImportCreatorsAsync(string csv, CancellationToken ct)
    {
        var parsed = CreatorCsv.Parse(csv);
        if (!parsed.TryGetValue(out var list, out var error)) return error;
        return await creators.SaveCreatorsAsync(list, ct);
    }

    public Task<IReadOnlyList<Creator>> ListCreatorsAsync(CancellationToken ct) => creators.ListCreatorsAsync(ct);

    public async Task<Result<Collaboration>> AddCollaborationAsync(CollaborationInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (CreatorRules.CheckId(input.CollabId, "collab_id") is { } badId) return badId;
        if (CreatorRules.CheckId(input.CreatorId, "creator_id") is { } badCreator) return badCreator;
        if (CreatorRules.CheckText(input.Title, "title", required: true) is { } badTitle) return badTitle;
        if (input.Fee is not { } fee) return Error.Invalid("fee", "fee is missing: give the fixed fee in fen (0 for commission only)");
        if (CreatorRules.CheckFee(fee) is { } badFee) return badFee;
        var bp = input.CommissionBp ?? 0;
        if (CreatorRules.CheckCommission(bp) is { } badBp) return badBp;
        if (CreatorRules.CheckText(input.Deliverables, "deliverables", required: false) is { } badDeliverables) return badDeliverables;
        var posting = CreatorRules.ParseMoment(input.PostingAt, "posting_at");
        if (!posting.TryGetValue(out var postingAt, out var error)) return error;
        if (input.LinkCode is { } link && (link.Length is 0 or > MaxLinkCodeLength || link.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))))
            return Error.Invalid("link_code", $"link_code is 1 to {MaxLinkCodeLength} letters, digits, '-' or '_'");
        var status = input.Status ?? CollaborationStatus.Planned;
        if (!CollaborationStatus.IsValid(status)) return Error.Invalid("status", $"status '{status}' is not one of {CollaborationStatus.Expected}");
        if (input.CouponCode is not null && input.CouponBatchId is not null)
            return Error.Invalid("coupon_code", "give coupon_batch_id (a code is issued) or coupon_code (a code issued elsewhere), not both");
        if (input.CouponCode is { } given && (given.Length is 0 or > 64 || given.Any(char.IsWhiteSpace) || given.Contains('|') || given.Contains(';')))
            return Error.Invalid("coupon_code", "coupon_code is 1 to 64 characters without spaces, '|' or ';'");
        if (input.CouponBatchId is { } batch && CreatorRules.CheckId(batch, "coupon_batch_id") is { } badBatch) return badBatch;
        if (input.LinkUrl is not null && input.LinkCode is not null)
            return Error.Invalid("link_url", "give link_url (the collaboration's link is made now) or link_code (a link made elsewhere), not both");
        if (input.LinkUrl is not null && linkMaker is null) return Error.Invalid("link_url", "tracking links are not available in this host; give link_code");

        // Refused before a coupon is issued: an unknown creator, a taken id.
        if (!await creators.CreatorExistsAsync(input.CreatorId!, ct))
            return Error.NotFound("creator_id", $"there is no creator '{input.CreatorId}'; add the creator first (POST /v1/creators)");
        if (await creators.GetCollaborationAsync(input.CollabId!, ct) is not null)
            return Error.Conflict("collab_id", $"a collaboration with id '{input.CollabId}' already exists; choose another id");

        var code = input.CouponCode?.ToUpperInvariant();
        if (input.CouponBatchId is { } batchId)
        {
            // The collaboration holds the coupon (holder "collab:<id>"); the key makes a retry of the same request get the same code.
            var issued = await coupons.IssueAsync(batchId, "collab:" + input.CollabId, "grow-collab:" + input.CollabId, ct);
            if (!issued.TryGetValue(out var coupon, out error))
                return error with { Path = error.Path is "batch_id" or null ? "coupon_batch_id" : "coupon_batch_id." + error.Path };
            code = coupon.Code;
        }
        var linkCode = input.LinkCode;
        if (input.LinkUrl is { } url)
        {
            // The collaboration's exclusive link: medium kol, content = the collaboration, so its clicks are the creator's in the record
            // and its orders the collaboration's (LinkOrderRule). After the coupon: a refused URL leaves only a coupon a retry gets again.
            var made = await linkMaker!.CreateAsync(new CreateLinkRequest(url, LinkKinds.Link, Name: input.Title!.Trim(), Medium: "kol", Content: input.CollabId,
                CreatorId: input.CreatorId, CollabId: input.CollabId), "", ct);
            if (!made.TryGetValue(out var view, out error))
                return error with { Path = error.Path is "url" or null ? "link_url" : "link_url." + error.Path };
            linkCode = view.Code;
        }
        return await creators.AddCollaborationAsync(new Collaboration(input.CollabId!, input.CreatorId!, input.Title!.Trim(), fee, (int)bp,
            input.Deliverables, postingAt, linkCode, code, status, time.GetUtcNow()), ct);
    }

    public async Task<Result<Collaboration>> UpdateCollaborationAsync(string collabId, string? status, string? linkCode, CancellationToken ct)
    {
        if (CreatorRules.CheckId(collabId, "collab_id") is { } badId) return badId;
        if (status is not null && !CollaborationStatus.IsValid(status)) return Error.Invalid("status", $"status '{status}' is not one of {CollaborationStatus.Expected}");
        if (linkCode is { } link && (link.Length is 0 or > MaxLinkCodeLength || link.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))))
            return Error.Invalid("link_code", $"link_code is 1 to {MaxLinkCodeLength} letters, digits, '-' or '_'");
        return await creators.UpdateCollaborationAsync(collabId, status, linkCode, ct);
    }

    public async Task<Result<IReadOnlyList<Collaboration>>> ListCollaborationsAsync(string? creatorId, string? status, CancellationToken ct)
    {
        if (status is not null && !CollaborationStatus.IsValid(status)) return Error.Invalid("status", $"status '{status}' is not one of {CollaborationStatus.Expected}");
        return Result<IReadOnlyList<Collaboration>>.Success(await creators.ListCollaborationsAsync(creatorId, status, ct));
    }

    /// <summary>Model names as both surfaces take them; last_click when absent.</summary>
    public static Result<CreditModel> ParseModel(string? model, string path) => (model ?? "last_click") switch
    {
        "last_click" => CreditModel.LastClick,
        "first_click" => CreditModel.FirstClick,
        "linear" => CreditModel.Linear,
        "time_decay" => CreditModel.TimeDecay,
        "position_based" => CreditModel.PositionBased,
        "markov" => CreditModel.Markov,
        _ => Error.Invalid(path, $"model '{model}' is not one of last_click, first_click, linear, time_decay, position_based, markov"),
    };

    public static string ModelName(CreditModel model) => model switch
    {
        CreditModel.LastClick => "last_click",
        CreditModel.FirstClick => "first_click",
        CreditModel.Linear => "linear",
        CreditModel.TimeDecay => "time_decay",
        CreditModel.PositionBased => "position_based",
        _ => "markov",
    };

    /// <summary>
    /// The creator ROI report over the local days [from, to] (default: the first to the last day with data), credited under
    /// <paramref name="model"/> (default last_click). Errors name from, to or model.
    /// </summary>
    public async Task<Result<CreatorReport>> ReportAsync(EventIndex index, string? from, string? to, string? model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(index);
        var f = LocalCalendar.ParseDay(from, "from");
        if (!f.TryGetValue(out var fromDay, out var error)) return error;
        var t = LocalCalendar.ParseDay(to, "to");
        if (!t.TryGetValue(out var toDay, out error)) return error;
        var m = ParseModel(model, "model");
        if (!m.TryGetValue(out var creditModel, out error)) return error;
        var range = LocalCalendar.DataRange(index, LocalCalendar.Today(index.TimeZone, time));
        var last = toDay ?? range.Last;
        var first = fromDay ?? (toDay is null ? range.First : last.AddDays(-89));
        if (last < first) return Error.Invalid("to", $"the range ends ({last:yyyy-MM-dd}) before it starts ({first:yyyy-MM-dd})");
        if (last.DayNumber - first.DayNumber > 3660) return Error.Invalid("to", "a range of more than ten years");
        var evidence = await EvidenceAsync(index, first, last, creditModel, ct);
        if (!evidence.TryGetValue(out var found, out error)) return error;
        var (e, start, end) = found;
        return CreatorReports.Build(e, CreatorAttribution.Credit(e), first, last, start, end, ModelName(creditModel));
    }

    /// <summary>The payout of a month (yyyy-MM; default the month of the last day with data).</summary>
    public async Task<Result<PayoutReport>> PayoutsAsync(EventIndex index, string? month, string? model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(index);
        var m = ParseModel(model, "model");
        if (!m.TryGetValue(out var creditModel, out var error)) return error;
        DateOnly first;
        if (month is null) first = LocalCalendar.MonthOf(LocalCalendar.DataEnd(index, time));
        else if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out first)
                 || first.Year is < 2000 or > 2087)
            return Error.Invalid("month", $"'{month}' is not a month: give it as yyyy-MM, e.g. 2026-11");
        var last = first.AddMonths(1).AddDays(-1);
        var evidence = await EvidenceAsync(index, first, last, creditModel, ct);
        if (!evidence.TryGetValue(out var found, out error)) return error;
        var (e, start, end) = found;
        return Payouts.Build(e, CreatorAttribution.Credit(e), $"{first:yyyy-MM}", start, end, ModelName(creditModel));
    }

    private async Task<Result<(CreatorEvidence Evidence, int Start, int End)>> EvidenceAsync(EventIndex index, DateOnly first, DateOnly last, CreditModel model,
        CancellationToken ct)
    {
        var calendar = new LocalCalendar(index.TimeZone);
        var start = calendar.StartOf(first);
        var end = calendar.StartOf(last.AddDays(1));
        var fromTime = DateTimeOffset.FromUnixTimeMilliseconds(EventIndex.ToUnixMs(start));
        var toTime = DateTimeOffset.FromUnixTimeMilliseconds(EventIndex.ToUnixMs(end));
        var creatorList = await creators.ListCreatorsAsync(ct);
        var collaborations = await creators.ListCollaborationsAsync(null, null, ct);
        var ids = creatorList.Select(c => c.CreatorId).ToHashSet(StringComparer.Ordinal);
        var codes = collaborations.Where(c => c.Status != CollaborationStatus.Cancelled && c.CouponCode is not null).Select(c => c.CouponCode!).ToList();
        var codeOrders = await OrdersByCoupon.PaidAsync(store, codes, fromTime, toTime, ct);
        var linkOrders = await links.OrdersAsync(collaborations, fromTime, toTime, ct);
        var credits = OrderCredits.Run(index, first, last, CreditDimension.Kol, model, ids.Contains);
        if (!credits.TryGetValue(out var modelCredits, out var error)) return error;
        return (new CreatorEvidence(creatorList, collaborations, index, codeOrders, modelCredits, linkOrders), start, end);
    }
}
