namespace Flywheel.Customers.Segments;

/// <summary>
/// The fields rules may use. <see cref="CreateDefault"/> holds the built-in profile, order, event and consent fields
/// (<see cref="BuiltInFields"/>); another module adds its own with <see cref="Register(FieldDefinition)"/> when the
/// process starts, e.g. the RFM model:
/// <code>
/// fields.Register("rfm_segment", SegmentType.Text, "RFM segment: champions, loyal, at_risk ...",
///     context => SegmentColumn.Texts(context, i => rfm.SegmentOf(context.CustomerId(i))), FieldSources.Orders | FieldSources.Time);
/// </code>
/// An instance, not a static list: the server and the CLI each build one and hand it to whatever compiles rules.
/// Thread-safe: registration swaps in a new copy, lookups read the current one.
/// </summary>
internal sealed class FieldRegistry
{
    private readonly Lock _gate = new();
    private Dictionary<string, FieldDefinition> _fields = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-in fields.</summary>
    public static FieldRegistry CreateDefault()
    {
        var registry = new FieldRegistry();
        foreach (var field in BuiltInFields.All()) registry.Register(field);
        return registry;
    }

    /// <summary>Every field, by name.</summary>
    public IReadOnlyList<FieldDefinition> All => [.. Volatile.Read(ref _fields).Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>Adds a field.</summary>
    /// <exception cref="ArgumentException">A field with that name exists, or it is a keyword of the language.</exception>
    public void Register(FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Name is "and" or "or" or "not" or "in" or "between" or "contains" or "true" or "false" or "date")
            throw new ArgumentException($"'{field.Name}' is a word of the rule language and cannot name a field", nameof(field));
        lock (_gate)
        {
            if (_fields.ContainsKey(field.Name)) throw new ArgumentException($"a field named '{field.Name}' is registered already", nameof(field));
            var next = new Dictionary<string, FieldDefinition>(_fields, StringComparer.Ordinal) { [field.Name] = field };
            Volatile.Write(ref _fields, next);
        }
    }

    /// <summary>Adds a field without arguments.</summary>
    public void Register(string name, SegmentType type, string description, Func<FieldContext, SegmentColumn> compute,
        FieldSources sources = FieldSources.External, IReadOnlyCollection<string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(compute);
        Register(new FieldDefinition(name, type, description, (context, _) => compute(context)) { Sources = sources, Values = values });
    }

    public FieldDefinition? Find(string name) => Volatile.Read(ref _fields).GetValueOrDefault(name);

    /// <summary>The registered name closest to a misspelt one, or null when none is close.</summary>
    public string? Suggest(string name) => Closest(name, Volatile.Read(ref _fields).Keys);

    /// <summary>The candidate closest to <paramref name="text"/> by edit distance (transpositions count once), when close enough to be a typo.</summary>
    internal static string? Closest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(text.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        // A third of the word may be wrong; one edit is always forgiven.
        return best is not null && bestDistance <= Math.Max(1, Math.Max(text.Length, best.Length) / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
