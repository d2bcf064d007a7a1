using Flywheel.Customers.Contracts;
using Flywheel.Ingestion.Contracts;
using Flywheel.Campaigns.Channels;
using Flywheel.Customers.Lifecycle;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// Checks a journey before it is saved: every problem, each an <see cref="Error"/> whose path is the JSON path of the
/// field to fix (<c>$.steps[2].duration</c>) and whose message says what is wrong (English, with Chinese where short).
/// Covers ids, the step graph (unknown targets, cycles, steps unreachable from the start), event types, durations and
/// local times, split weights, send templates (channel, texts, unknown variables), segment rules, coupons and points.
/// </summary>
internal static class JourneyValidator
{
    /// <summary>The most steps a journey may have.</summary>
    public const int MaxSteps = 200;

    public static IReadOnlyList<Error> Validate(Journey journey, JourneyValidationContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(journey);
        return new Run(context ?? JourneyValidationContext.Default).Journey(journey);
    }

    /// <summary>"a wait is positive: \"-1h\"" and the like for a duration field; null when it is fine.</summary>
    internal static string? DurationProblem(TimeSpan duration, string what)
    {
        if (duration <= TimeSpan.Zero) return $"{what} is positive: \"{JourneyDuration.Format(duration)}\" / 时长须为正";
        if (duration > JourneyDuration.Max) return $"{what} is at most 365d: \"{JourneyDuration.Format(duration)}\" / 时长最多 365 天";
        return null;
    }

    private static bool IsId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private sealed class Run(JourneyValidationContext context)
    {
        private readonly List<Error> _errors = [];

        private void Add(string path, string message) => _errors.Add(Error.Invalid(path, message));

        public List<Error> Journey(Journey j)
        {
            if (!IsId(j.Id)) Add("$.id", $"a journey id is 1-64 letters, digits, _ or -: \"{j.Id}\"");
            if (string.IsNullOrWhiteSpace(j.Name)) Add("$.name", "name is required / 缺少名称");
            else if (TextRules.Name(j.Name, "$.name") is { } badName) Add("$.name", badName.Message);
            if (j.Trigger is null) Add("$.trigger", "trigger is required / 缺少触发条件");
            else Trigger(j.Trigger);
            Reentry(j.Reentry);
            for (var i = 0; i < (j.ExitWhen?.Count ?? 0); i++)
            {
                switch (j.ExitWhen![i])
                {
                    case ExitOnEvent e:
                        Event(e.Event, $"$.exit_when[{i}].event");
                        break;
                    case ExitOnSegment s:
                        Rule(s.Rule, $"$.exit_when[{i}].segment");
                        break;
                }
            }
            if (j.Conditions is not null) Rule(j.Conditions, "$.conditions");
            if (j.Experiment is { } experiment && (string.IsNullOrWhiteSpace(experiment) || experiment.Length > Runtime.CampaignExperiments.MaxKeyLength || experiment.Any(char.IsControl)))
                Add("$.experiment", $"experiment is an experiment's key (1-{Runtime.CampaignExperiments.MaxKeyLength} characters) / 实验键无效");
            if (j.Steps is null || j.Steps.Count == 0)
            {
                Add("$.steps", "a journey has at least one step / 至少一个步骤");
                return _errors;
            }
            if (j.Steps.Count > MaxSteps)
            {
                Add("$.steps", $"a journey has at most {MaxSteps} steps, not {j.Steps.Count}");
                return _errors;
            }
            Steps(j);
            return _errors;
        }

        private void Trigger(Trigger trigger)
        {
            switch (trigger)
            {
                case EventTrigger e:
                    Event(e.Event, "$.trigger.event");
                    if (e.Unless is not null) Event(e.Unless, "$.trigger.unless");
                    if (e.Unless is not null && e.Within is null) Add("$.trigger.within", "unless needs within: how long to wait for the other event (e.g. \"30m\")");
                    if (e.Unless is null && e.Within is not null) Add("$.trigger.within", "within goes with unless (\"not followed by ... within ...\")");
                    if (e.Within is { } within && DurationProblem(within, "within") is { } problem) Add("$.trigger.within", problem);
                    break;
                case SegmentEntryTrigger s:
                    Segment(s.Segment);
                    break;
                case SegmentExitTrigger s:
                    Segment(s.Segment);
                    break;
                case LifecycleTrigger l:
                    Stage(l.To, "$.trigger.to");
                    if (l.From is not null) Stage(l.From, "$.trigger.from");
                    if (l.From is not null && l.From == l.To) Add("$.trigger.from", "from and to are different stages");
                    break;
                case DateTrigger d:
                    if (d.Attribute == DateAttribute.Birthday)
                    {
                        if (d.DaysAfter is not null) Add("$.trigger.days_after", "a birthday trigger counts days_before, not days_after");
                        if (d.DaysBefore is < 0 or > 365) Add("$.trigger.days_before", $"days_before is 0-365, not {d.DaysBefore}");
                    }
                    else
                    {
                        if (d.DaysBefore is not null) Add("$.trigger.days_before", "a first_order trigger counts days_after, not days_before");
                        if (d.DaysAfter is < 0 or > 365) Add("$.trigger.days_after", $"days_after is 0-365, not {d.DaysAfter}");
                    }
                    if (!Enum.IsDefined(d.Attribute)) Add("$.trigger.attribute", "attribute is birthday or first_order");
                    break;
                case ScheduleTrigger s:
                    LocalTime(s.At, "$.trigger.at");
                    if (s.Days is not null && s.Days.Distinct().Count() != s.Days.Count) Add("$.trigger.days", "each day is listed once");
                    Rule(s.Audience, "$.trigger.audience");
                    break;
                default:
                    Add("$.trigger.type", $"unknown trigger {trigger.GetType().Name}");
                    break;
            }
        }

        private void Reentry(ReentryRule? reentry)
        {
            if (reentry is null) return;
            if (reentry.Mode == ReentryMode.OncePer)
            {
                if (reentry.Every is not { } every) Add("$.reentry.every", "once_per needs every (e.g. \"7d\")");
                else if (DurationProblem(every, "every") is { } problem) Add("$.reentry.every", problem);
            }
            else if (reentry.Every is not null)
                Add("$.reentry.every", "every goes with mode once_per");
            if (!Enum.IsDefined(reentry.Mode)) Add("$.reentry.mode", "mode is once_ever, once_per or always");
        }

        private void Steps(Journey j)
        {
            var graph = new JourneyGraph(j);
            var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < j.Steps.Count; i++)
            {
                var path = $"$.steps[{i}]";
                var step = j.Steps[i];
                if (step is null)
                {
                    Add(path, "a step is an object");
                    continue;
                }
                if (!IsId(step.Id)) Add(path + ".id", $"a step id is 1-64 letters, digits, _ or -: \"{step.Id}\"");
                else if (firstIndex.TryGetValue(step.Id, out var first))
                    Add(path + ".id", $"duplicate step id \"{step.Id}\" (also $.steps[{first}]) / 步骤 id 重复");
                else firstIndex[step.Id] = i;
                foreach (var edge in JourneyGraph.EdgesOf(step))
                    if (graph.Find(edge.To) is null) Add($"{path}.{edge.Field}", $"unknown step \"{edge.To}\" / 找不到步骤");
                Step(step, path, j.Trigger);
            }
            if (graph.StartStep is null)
            {
                Add("$.start", $"unknown step \"{j.Start}\" / 找不到起始步骤");
                return;
            }
            foreach (var cycle in graph.Cycles())
                Add($"$.steps[{graph.IndexOf(cycle.ClosingEdge.From)}].{cycle.ClosingEdge.Field}", $"the steps form a cycle: {cycle} / 步骤形成循环");
            var reachable = graph.Reachable();
            for (var i = 0; i < j.Steps.Count; i++)
                if (j.Steps[i] is { } step && graph.IndexOf(step.Id) == i && !reachable.Contains(step.Id))
                    Add($"$.steps[{i}]", $"step \"{step.Id}\" cannot be reached from start \"{j.Start}\" / 从起点无法到达");
        }

        private void Step(Step step, string path, Trigger? trigger)
        {
            switch (step)
            {
                case WaitStep w:
                    if (DurationProblem(w.Duration, "a wait") is { } problem) Add(path + ".duration", problem);
                    break;
                case WaitUntilStep w:
                    if ((w.LocalTime is null) == (w.EventProperty is null))
                        Add(path, "wait_until has exactly one of local_time (\"10:00\") or event_property");
                    if (w.LocalTime is not null) LocalTime(w.LocalTime, path + ".local_time");
                    if (w.EventProperty is not null && string.IsNullOrWhiteSpace(w.EventProperty)) Add(path + ".event_property", "event_property names a property of the trigger event");
                    else if (w.EventProperty is not null && trigger is not EventTrigger)
                        Add(path + ".event_property", $"event_property reads the trigger event, but this journey's trigger is {trigger?.Type ?? "missing"} / 触发条件不是事件");
                    break;
                case IssueCouponStep c:
                    if (string.IsNullOrWhiteSpace(c.Batch)) Add(path + ".batch", "batch names a coupon batch / 缺少券批次");
                    else if (context.CouponBatchExists is { } exists && !exists(c.Batch)) Add(path + ".batch", $"unknown coupon batch \"{c.Batch}\" / 找不到券批次");
                    break;
                case SplitStep s:
                    Split(s, path);
                    break;
                case SendStep s:
                    Send(s, path);
                    break;
                case BranchStep b:
                    switch (b.Condition)
                    {
                        case EventSinceEntryCondition e:
                            Event(e.Event, path + ".condition.event_since_entry");
                            break;
                        case SegmentCondition c:
                            Rule(c.Rule, path + ".condition.segment");
                            break;
                        default:
                            Add(path + ".condition", "condition is {\"event_since_entry\": ...} or {\"segment\": ...}");
                            break;
                    }
                    break;
                case AddPointsStep p:
                    if (p.Points <= 0) Add(path + ".points", $"points are positive, not {p.Points} / 积分须为正数");
                    else if (p.Points > 1_000_000) Add(path + ".points", $"points are at most 1000000, not {p.Points}");
                    break;
            }
        }

        private void Split(SplitStep s, string path)
        {
            var variants = s.Variants ?? [];
            if (variants.Count < 2) Add(path + ".variants", "a split has at least two variants / 分流至少两组");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var sum = 0L;
            var holdouts = 0;
            for (var i = 0; i < variants.Count; i++)
            {
                var v = variants[i];
                var vp = $"{path}.variants[{i}]";
                if (string.IsNullOrWhiteSpace(v.Name)) Add(vp + ".name", "a variant has a name");
                else if (!names.Add(v.Name)) Add(vp + ".name", $"duplicate variant name \"{v.Name}\"");
                if (v.Weight is < 1 or > 100) Add(vp + ".weight", $"a weight is 1-100, not {v.Weight}");
                sum += v.Weight;
                if (v.Holdout)
                {
                    holdouts++;
                    if (v.Next is not null) Add(vp + ".next", "a holdout variant ends the journey (no next) / 对照组不再继续");
                }
                else if (v.Next is null) Add(vp + ".next", "a variant needs next (only the holdout has none)");
            }
            if (holdouts > 1) Add(path + ".variants", "a split has at most one holdout");
            if (variants.Count > 0 && sum != 100) Add(path + ".variants", $"split weights sum to 100, not {sum} / 分流权重之和须为 100");
        }

        private void Send(SendStep s, string path)
        {
            if (!Enum.IsDefined(s.Channel)) Add(path + ".channel", "unknown channel (email, sms, wecom, webhook)");
            if (!Enum.IsDefined(s.Purpose)) Add(path + ".purpose", "unknown purpose (marketing, transactional)");
            if (s.Template is not { } t)
            {
                Add(path + ".template", "a send step needs a template (subject, text, html) / 缺少消息模板");
                return;
            }
            if (string.IsNullOrWhiteSpace(t.Text)) Add(path + ".template.text", "text is required / 缺少正文");
            if (s.Channel == ChannelKind.Email && string.IsNullOrWhiteSpace(t.Subject)) Add(path + ".template.subject", "an email needs a subject / 邮件缺少主题");
            if (s.Channel is ChannelKind.Sms or ChannelKind.WeCom && t.Html is not null) Add(path + ".template.html", $"html is for email and webhook, not {JourneyJson.ChannelName(s.Channel)}");
            if (s.Channel == ChannelKind.Sms && t.Subject is not null) Add(path + ".template.subject", "an SMS has no subject");
            Variables(t.Subject, path + ".template.subject");
            Variables(t.Text, path + ".template.text");
            Variables(t.Html, path + ".template.html");
        }

        private void Variables(string? text, string path)
        {
            if (string.IsNullOrEmpty(text)) return;
            foreach (var url in Templates.LinkPolicy.TrackedLiterals(text))
                if (context.CheckLink(url) is { } refused)
                {
                    Add(path, refused + " / 链接地址不被允许");
                    break;
                }
            var unknown = context.UnknownVariables(text);
            if (unknown.Count > 0)
                Add(path, $"unknown template variable{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))} (known: {string.Join(", ", TemplateVariables.Known.Order(StringComparer.Ordinal))}) / 未知模板变量");
        }

        private void Event(string? type, string path)
        {
            if (string.IsNullOrWhiteSpace(type)) Add(path, "an event type is required");
            else if (!context.IsValidEventType(type))
                Add(path, $"unknown event type \"{type}\" (known: {string.Join(", ", EventTypes.Known.Order(StringComparer.Ordinal))}; a brand's own events are custom:<name>) / 未知事件类型");
        }

        private void Rule(string? rule, string path)
        {
            if (string.IsNullOrWhiteSpace(rule))
            {
                Add(path, "a segment rule is required / 缺少人群规则");
                return;
            }
            if (context.CompileRule?.Invoke(rule) is { } error) Add(path, $"the segment rule does not compile: {error} / 人群规则有误");
        }

        private void Segment(string? segment)
        {
            if (string.IsNullOrWhiteSpace(segment)) Add("$.trigger.segment", "segment names a saved segment / 缺少人群");
            else if (segment.Length > 64 || !segment.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
                Add("$.trigger.segment", $"segment is a saved segment's name (lower-case letters, digits, - and _), not a rule: \"{segment}\"");
            else if (context.SegmentExists is { } exists && !exists(segment)) Add("$.trigger.segment", $"unknown segment \"{segment}\" / 找不到人群");
        }

        private void Stage(string stage, string path)
        {
            if (!LifecycleStages.All.Contains(stage))
                Add(path, $"unknown lifecycle stage \"{stage}\" (known: {string.Join(", ", LifecycleStages.All)}) / 未知生命周期阶段");
        }

        private void LocalTime(string? text, string path)
        {
            if (!JourneyDuration.TryParseLocalTime(text, out _)) Add(path, $"a local time is HH:mm (24-hour), e.g. \"10:00\": \"{text}\" / 时间格式须为 HH:mm");
        }
    }
}
