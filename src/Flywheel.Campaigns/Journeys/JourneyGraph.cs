using Flywheel.Primitives;

namespace Flywheel.Campaigns.Journeys;

/// <summary>
/// One edge of a journey's step graph: from step <see cref="From"/> to step id <see cref="To"/>, taken on
/// <see cref="Label"/> ("next", "then", "else" or a split variant's name), written in the step's field <see cref="Field"/>
/// ("next", "then", "else", "variants[1].next").
/// </summary>
internal sealed record JourneyEdge(string From, string Label, string To, string Field);

/// <summary>A cycle of the step graph, e.g. a -> b -> a; <see cref="ClosingEdge"/> is the edge that leads back.</summary>
internal sealed record JourneyCycle(IReadOnlyList<string> Steps, JourneyEdge ClosingEdge)
{
    public override string ToString() => string.Join(" -> ", Steps);
}

/// <summary>
/// A journey's steps as a graph: lookups by id, edges, successors, reachability from the start, cycles and a topological
/// order. Used by <see cref="JourneyValidator"/> and by the runtime to move a customer on. Immutable; when an id is
/// declared twice the first step wins (the validator reports the second).
/// </summary>
internal sealed class JourneyGraph
{
    private readonly Dictionary<string, Step> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public JourneyGraph(Journey journey)
    {
        ArgumentNullException.ThrowIfNull(journey);
        Journey = journey;
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            var step = journey.Steps[i];
            if (step?.Id is null || _steps.ContainsKey(step.Id)) continue;
            _steps[step.Id] = step;
            _index[step.Id] = i;
        }
    }

    public Journey Journey { get; }

    /// <summary>The start step, or null when <see cref="Journey.Start"/> names no step.</summary>
    public Step? StartStep => Find(Journey.Start);

    /// <summary>The step with that id, or null.</summary>
    public Step? Find(string id) => id is not null && _steps.TryGetValue(id, out var step) ? step : null;

    /// <summary>Where the step is declared in <see cref="Journey.Steps"/> (its first declaration), or -1.</summary>
    public int IndexOf(string id) => id is not null && _index.TryGetValue(id, out var i) ? i : -1;

    /// <summary>The step's outgoing edges in declaration order (targets may name unknown steps; holdout variants have none).</summary>
    public static IReadOnlyList<JourneyEdge> EdgesOf(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        switch (step)
        {
            case WaitStep s: return [new(s.Id, "next", s.Next, "next")];
            case WaitUntilStep s: return [new(s.Id, "next", s.Next, "next")];
            case IssueCouponStep s: return [new(s.Id, "next", s.Next, "next")];
            case SendStep s: return [new(s.Id, "next", s.Next, "next")];
            case AddPointsStep s: return [new(s.Id, "next", s.Next, "next")];
            case BranchStep s: return [new(s.Id, "then", s.Then, "then"), new(s.Id, "else", s.Else, "else")];
            case SplitStep s:
                var edges = new List<JourneyEdge>();
                for (var i = 0; i < s.Variants.Count; i++)
                    if (s.Variants[i] is { Next: { } next } v) edges.Add(new(s.Id, v.Name, next, $"variants[{i}].next"));
                return edges;
            default: return [];
        }
    }

    /// <summary>The ids of the existing steps a step leads to, distinct, in declaration order of the edges.</summary>
    public IReadOnlyList<string> Successors(string stepId)
    {
        if (Find(stepId) is not { } step) return [];
        return [.. EdgesOf(step).Select(e => e.To).Where(_steps.ContainsKey).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Where a customer goes after <paramref name="step"/>: the next step of a linear step; for a branch,
    /// <paramref name="variantOrBranch"/> is "then" (or "true") or "else" (or "false"); for a split, the variant's name
    /// (null for a holdout). Null after an exit.
    /// </summary>
    /// <exception cref="ArgumentException">A branch or split without a known label.</exception>
    public static string? Next(Step step, string? variantOrBranch = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step switch
        {
            ExitStep => null,
            BranchStep b => variantOrBranch switch
            {
                "then" or "true" => b.Then,
                "else" or "false" => b.Else,
                _ => throw new ArgumentException($"branch '{b.Id}' goes to \"then\" or \"else\", not \"{variantOrBranch}\"", nameof(variantOrBranch)),
            },
            SplitStep s => s.Variants.FirstOrDefault(v => v.Name == variantOrBranch) is { } variant
                ? variant.Next
                : throw new ArgumentException($"split '{s.Id}' has no variant \"{variantOrBranch}\"", nameof(variantOrBranch)),
            _ => EdgesOf(step)[0].To,
        };
    }

    /// <summary>Where a branch goes when its condition holds or not.</summary>
    public static string Next(BranchStep step, bool conditionHolds)
    {
        ArgumentNullException.ThrowIfNull(step);
        return conditionHolds ? step.Then : step.Else;
    }

    /// <summary>The ids of the steps reachable from the start (the start included, when it exists).</summary>
    public IReadOnlySet<string> Reachable()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (StartStep is null) return seen;
        var stack = new Stack<string>();
        stack.Push(Journey.Start);
        seen.Add(Journey.Start);
        while (stack.TryPop(out var id))
            foreach (var next in Successors(id))
                if (seen.Add(next)) stack.Push(next);
        return seen;
    }

    /// <summary>Every cycle found by a depth-first walk (from the start, then from each step not yet visited, in declaration order): one per edge that leads back.</summary>
    public IReadOnlyList<JourneyCycle> Cycles()
    {
        var cycles = new List<JourneyCycle>();
        Walk(cycles, postOrder: null);
        return cycles;
    }

    /// <summary>Every step, each before the steps it leads to (start first); an error naming a cycle when there is one.</summary>
    public Result<IReadOnlyList<string>> TopologicalOrder()
    {
        var cycles = new List<JourneyCycle>();
        var post = new List<string>();
        Walk(cycles, post);
        if (cycles.Count > 0) return Error.Invalid("$.steps", $"the steps form a cycle: {cycles[0]}");
        post.Reverse();
        return post;
    }

    private void Walk(List<JourneyCycle> cycles, List<string>? postOrder)
    {
        // 0 = not seen, 1 = on the current path, 2 = done.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new List<string>();
        if (StartStep is not null) roots.Add(Journey.Start);
        roots.AddRange(_index.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        var path = new List<string>();
        var stack = new Stack<(string Id, IReadOnlyList<JourneyEdge> Edges, int Next)>();
        foreach (var root in roots)
        {
            if (state.GetValueOrDefault(root) != 0) continue;
            state[root] = 1;
            path.Add(root);
            stack.Push((root, EdgesOf(_steps[root]), 0));
            while (stack.TryPop(out var frame))
            {
                if (frame.Next < frame.Edges.Count)
                {
                    stack.Push(frame with { Next = frame.Next + 1 });
                    var edge = frame.Edges[frame.Next];
                    if (!_steps.ContainsKey(edge.To)) continue;
                    switch (state.GetValueOrDefault(edge.To))
                    {
                        case 0:
                            state[edge.To] = 1;
                            path.Add(edge.To);
                            stack.Push((edge.To, EdgesOf(_steps[edge.To]), 0));
                            break;
                        case 1:
                            var from = path.LastIndexOf(edge.To);
                            cycles.Add(new JourneyCycle([.. path.Skip(from), edge.To], edge));
                            break;
                    }
                }
                else
                {
                    state[frame.Id] = 2;
                    path.RemoveAt(path.Count - 1);
                    postOrder?.Add(frame.Id);
                }
            }
        }
    }
}
