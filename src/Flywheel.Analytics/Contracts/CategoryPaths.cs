namespace Flywheel.Analytics.Contracts;

/// <summary>
/// The one rule by which a category value picks product categories, for reports, funnel steps and segment rules alike.
/// Categories are paths ("美妆>面霜"): a value keeps its own path, every path under it ("美妆" keeps "美妆>面霜") and every
/// path with a level of that name ("面霜" and "彩妆" keep "美妆>彩妆>口红"). Case and spaces around the separator are ignored.
/// </summary>
public static class CategoryPaths
{
    /// <summary>Whether <paramref name="value"/> keeps the category <paramref name="path"/>.</summary>
    public static bool Matches(string path, string value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(value);
        return MatchesNormalised(Normalise(path), Normalise(value));
    }

    /// <summary>The category codes of <paramref name="categories"/> (an index dictionary) that <paramref name="value"/> keeps.</summary>
    public static bool[] Mask(StringTable categories, string value)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(value);
        var mask = new bool[categories.Count];
        var wanted = Normalise(value);
        for (var code = 1; code < categories.Count; code++)
            if (categories.Decode(code) is { } path && MatchesNormalised(Normalise(path), wanted)) mask[code] = true;
        return mask;
    }

    /// <summary>Whether <paramref name="value"/> keeps at least one of the index's categories.</summary>
    public static bool Exists(StringTable categories, string value) => Mask(categories, value).Contains(true);

    /// <summary>The sentence that refuses a value keeping no category (after the option or field it came from).</summary>
    public static string NoneMatch(string value) => $"no category '{value}' among the products, at any level of their category paths";

    private static bool MatchesNormalised(string path, string wanted) =>
        path == wanted || path.StartsWith(wanted + ">", StringComparison.Ordinal) || path.Split('>').Contains(wanted);

    private static string Normalise(string path) => string.Join('>', path.Split('>').Select(level => level.Trim().ToLowerInvariant()));
}
