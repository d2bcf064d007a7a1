namespace Flywheel.Customers.Segments;

/// <summary>What kind of argument a field takes: a look-back window (<c>90d</c>) or a string (<c>"add_to_cart"</c>).</summary>
internal enum FieldParameterKind
{
    Window,
    Text,
}

/// <summary>
/// What data a field's value depends on, so membership is re-evaluated when that data changes: profile attributes and
/// consents, paid orders, events, the passing of time (windows, "days since"), or something the segment module cannot
/// see (another module's model: re-evaluated on every change and on every periodic refresh).
/// </summary>
[Flags]
internal enum FieldSources
{
    None = 0,
    Profile = 1,
    Orders = 2,
    Events = 4,
    Time = 8,
    External = 16,
}

/// <summary>
/// One argument of a field. <paramref name="Choices"/>, when given, are the only values a text argument accepts (a typo
/// gets a "did you mean"); <paramref name="Accepts"/> is a further check (e.g. custom:&lt;name&gt; event types).
/// </summary>
internal sealed record FieldParameter(string Name, FieldParameterKind Kind, bool Optional = false, IReadOnlyCollection<string>? Choices = null,
    Func<string, bool>? Accepts = null);

/// <summary>The checked arguments of one field reference: <see cref="TimeWindow"/> or string per parameter, null when an optional one is absent.</summary>
internal sealed class FieldArguments
{
    internal FieldArguments(IReadOnlyList<object?> values) => Values = values;

    public static readonly FieldArguments None = new([]);

    public IReadOnlyList<object?> Values { get; }

    /// <summary>The window argument at <paramref name="position"/>, or null (all time).</summary>
    public TimeWindow? Window(int position) => position < Values.Count ? Values[position] as TimeWindow? : null;

    /// <summary>The text argument at <paramref name="position"/>, or null.</summary>
    public string? Text(int position) => position < Values.Count ? Values[position] as string : null;
}

/// <summary>
/// A field of the rule language: its name, type, arguments, what it depends on, and how to compute its column for the
/// customers of an evaluation. Built-in fields come from <see cref="FieldRegistry.CreateDefault"/>; other modules
/// (RFM, CLV, lifecycle) add theirs with <see cref="FieldRegistry.Register(FieldDefinition)"/>.
/// </summary>
internal sealed class FieldDefinition
{
    /// <param name="name">Lower-case snake case: <c>rfm_segment</c>.</param>
    /// <param name="type">The value's type; the type checker holds rules to it.</param>
    /// <param name="description">One line for <c>flywheel segments fields</c> and the field list endpoint.</param>
    /// <param name="compute">
    /// Builds the column for <see cref="FieldContext.Count"/> customers; called at most once per evaluation per distinct
    /// arguments, possibly on a thread-pool thread while other fields are computed on others.
    /// </param>
    /// <param name="parameters">Arguments, in order; optional ones last.</param>
    public FieldDefinition(string name, SegmentType type, string description, Func<FieldContext, FieldArguments, SegmentColumn> compute,
        params IReadOnlyList<FieldParameter> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(compute);
        if (!IsName(name)) throw new ArgumentException($"a field name is lower-case letters, digits and '_', starting with a letter (got '{name}')", nameof(name));
        for (var i = 1; i < parameters.Count; i++)
            if (parameters[i - 1].Optional && !parameters[i].Optional)
                throw new ArgumentException($"field {name}: a required parameter ({parameters[i].Name}) cannot follow an optional one", nameof(parameters));
        Name = name;
        Type = type;
        Description = description;
        Compute = compute;
        Parameters = parameters;
    }

    public string Name { get; }

    public SegmentType Type { get; }

    public string Description { get; }

    public IReadOnlyList<FieldParameter> Parameters { get; }

    public Func<FieldContext, FieldArguments, SegmentColumn> Compute { get; }

    /// <summary>What the value depends on (default: <see cref="FieldSources.External"/>, re-evaluated on every change).</summary>
    public FieldSources Sources { get; init; } = FieldSources.External;

    /// <summary>For a text field, the values it can take (a rule comparing it with anything else is refused with a suggestion); null: any.</summary>
    public IReadOnlyCollection<string>? Values { get; init; }

    /// <summary>
    /// For a list of product categories (categories()): <c>contains</c> matches by category path as reports do
    /// (<see cref="Flywheel.Analytics.Contracts.CategoryPaths"/>: "美妆" keeps "美妆>面霜"), and a value that keeps no
    /// category of the store is refused when a segment is saved or checked.
    /// </summary>
    public bool CategoryPaths { get; init; }

    /// <summary>Fields that are cheaper computed together share a batch (the built-in order and event aggregates: one pass each).</summary>
    internal Func<FieldContext, IReadOnlyList<BoundField>, IReadOnlyList<SegmentColumn>>? Batch { get; init; }

    /// <summary>How the field is written with its arguments: orders([window]), events(type, [window]).</summary>
    public string Signature => Parameters.Count == 0 ? Name
        : $"{Name}({string.Join(", ", Parameters.Select(p => p.Optional ? $"[{p.Name}]" : p.Name))})";

    private static bool IsName(string name) =>
        char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
