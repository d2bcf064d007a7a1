namespace Flywheel.Primitives;

/// <summary>The brand's own customer key (the natural key every import and API call uses).</summary>
public readonly record struct CustomerId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A stock-keeping unit code.</summary>
public readonly record struct Sku(string Value)
{
    public override string ToString() => Value;
}

/// <summary>An order number as the selling platform or the brand's own store issued it.</summary>
public readonly record struct OrderId(string Value)
{
    public override string ToString() => Value;
}
