namespace Flywheel.Campaigns.Templates;

/// <summary>
/// The variables a template may use, declared as dotted paths; <c>[]</c> marks a list whose items have the fields
/// that follow (<c>cart.lines[].sku</c>). <see cref="Default"/> is what <see cref="TemplateModel"/> provides.
/// </summary>
internal sealed class TemplateSchema
{
    public static readonly TemplateSchema Default = new(
    [
        "customer.id", "customer.name", "customer.city", "customer.member_tier",
        "cart.lines[].sku", "cart.lines[].name", "cart.lines[].quantity", "cart.lines[].price", "cart.lines[].price_fen", "cart.lines[].url",
        "cart.total", "cart.total_fen",
        "coupon.code", "coupon.value", "coupon.expires",
        "recommendations[].sku", "recommendations[].name", "recommendations[].price", "recommendations[].price_fen", "recommendations[].url",
        "order.id",
        "points",
        "journey.name",
        "unsubscribe_url",
    ]);

    public TemplateSchema(IEnumerable<string> paths)
    {
        Root = new Node(IsList: false);
        var declared = new List<string>();
        foreach (var path in paths)
        {
            declared.Add(path);
            var node = Root;
            foreach (var raw in path.Split('.'))
            {
                var isList = raw.EndsWith("[]", StringComparison.Ordinal);
                var name = isList ? raw[..^2] : raw;
                if (!node.Children.TryGetValue(name, out var child))
                    node.Children[name] = child = new Node(isList);
                node = child;
            }
        }

        Paths = declared;
    }

    public IReadOnlyList<string> Paths { get; }

    internal Node Root { get; }

    /// <summary>A variable: a leaf (no children), an object (children), or a list of objects (IsList, children are the item's fields).</summary>
    internal sealed record Node(bool IsList)
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public bool IsLeaf => !IsList && Children.Count == 0;
    }
}
