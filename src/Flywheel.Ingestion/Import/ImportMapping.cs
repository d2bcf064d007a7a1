using System.Globalization;
using System.Reflection;
using Flywheel.Ingestion.Parsing;
using Flywheel.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flywheel.Ingestion.Import;

/// <summary>What to assume of orders whose export has neither a status nor a paid time.</summary>
internal enum PaidAssumption
{
    /// <summary>Nothing was said: an orders file with neither column is refused, naming the choice.</summary>
    Unstated,
    /// <summary>Every such order was paid when it was placed (a history of sales, e.g. an ERP's invoice lines).</summary>
    Paid,
    /// <summary>Such orders are unpaid (stored as pending; no report counts them).</summary>
    Pending,
}

/// <summary>
/// How to read one export layout (<c>--map FILE.yaml</c>, docs/import-mappings.md): which source column (or template of columns)
/// fills each of Flywheel's columns, how source values translate (交易成功 → completed), defaults for missing columns, the units of
/// money, the time zone and time formats, the currency (with rates to convert to the store's), what marks a return invoice, and what
/// to assume of orders without a status or paid time. Everything a mapping does not say is read as the plain CSV contract.
/// </summary>
internal sealed class ImportMapping
{
    /// <summary>Columns of every kind that hold times (a mapping's <see cref="TimeFormats"/> apply to them).</summary>
    public static readonly IReadOnlySet<string> TimeColumns = new HashSet<string>(StringComparer.Ordinal)
        { "placed_at", "paid_at", "shipped_at", "completed_at", "refunded_at", "signup_at", "consent_at", "time" };

    /// <summary>Columns that hold dates (spend's day, a birth date).</summary>
    public static readonly IReadOnlySet<string> DateColumns = new HashSet<string>(StringComparer.Ordinal) { "date", "birth_date" };

    /// <summary>Columns that hold money in the file's currency.</summary>
    public static readonly IReadOnlySet<string> MoneyColumns = new HashSet<string>(StringComparer.Ordinal)
        { "unit_price", "unit_list_price", "line_discount", "shipping_fee", "refund_amount", "list_price", "cost", "value", "line_total" };

    /// <summary>Columns a mapping may fill beyond the CSV contract: a line's total instead of its unit price.</summary>
    public static readonly IReadOnlyDictionary<ImportKind, string[]> ExtraColumns = new Dictionary<ImportKind, string[]>
    {
        [ImportKind.Orders] = ["line_total"],
    };

    public string Source { get; init; } = "";
    public ImportKind? Kind { get; init; }
    public byte Delimiter { get; init; } = (byte)',';
    public string? TimeZone { get; init; }
    public IReadOnlyList<string> TimeFormats { get; init; } = [];
    public bool MoneyInFen { get; init; }
    public string? Currency { get; init; }
    /// <summary>Units of the store's currency per unit of another currency: rows in that currency are converted on import.</summary>
    public IReadOnlyDictionary<string, decimal> Rates { get; init; } = new Dictionary<string, decimal>();
    public PaidAssumption Assume { get; init; }
    /// <summary>Orders whose id starts with this are return invoices (UCI Online Retail's "C").</summary>
    public string? ReturnPrefix { get; init; }
    public bool CreateMissing { get; init; }
    /// <summary>Lines of one order that disagree on placed_at: the earliest is the order's (exports stamp each line separately).</summary>
    public bool EarliestPlacedAt { get; init; }
    /// <summary>Target column → source column, or a template such as "{customer_id}-{date}" naming source columns in braces.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Values { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();
    public IReadOnlyDictionary<string, string> Defaults { get; init; } = new Dictionary<string, string>();

    /// <summary>The mappings that ship with Flywheel (<c>--map taobao</c>), by name.</summary>
    public static IReadOnlyList<string> ShippedNames { get; } =
        [.. typeof(ImportMapping).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".yaml".Length]).Order(StringComparer.Ordinal)];

    private const string ResourcePrefix = "Flywheel.Ingestion.Mappings.";
    private const int MaxLength = 256 * 1024, MaxFlows = 256, MaxIndent = 32;

    /// <summary>A shipped mapping by name, or a YAML file by path.</summary>
    public static Result<ImportMapping> Load(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (ShippedNames.Contains(nameOrPath, StringComparer.Ordinal))
        {
            using var stream = typeof(ImportMapping).Assembly.GetManifestResourceStream(ResourcePrefix + nameOrPath + ".yaml")!;
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), nameOrPath);
        }
        if (!File.Exists(nameOrPath))
            return Error.NotFound(nameOrPath, $"no mapping file '{nameOrPath}' (the shipped mappings are {string.Join(", ", ShippedNames)})");
        try
        {
            var info = new FileInfo(nameOrPath);
            if (info.Length > MaxLength) return Error.Invalid(nameOrPath, $"a mapping file larger than {MaxLength / 1024} KiB");
            return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.Invalid(nameOrPath, $"cannot read the mapping: {e.Message}");
        }
    }

    /// <summary>Reads and checks a mapping; an error names the key (<c>mapping.yaml: columns.order_id</c>) and the problem.</summary>
    public static Result<ImportMapping> Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        // A mapping is a few flat maps: refuse what only a hostile document has (the YAML reader recurses on nesting).
        if (yaml.Length > MaxLength) return Error.Invalid(source, $"a mapping longer than {MaxLength / 1024} KiB");
        if (yaml.Count(c => c is '[' or '{') > MaxFlows || yaml.Split('\n').Any(line => line.Length - line.TrimStart(' ', '\t').Length > MaxIndent))
            return Error.Invalid(source, "a mapping nests only a few levels deep (columns:, values: → status: → value: value)");
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return Error.Invalid(source, string.Create(CultureInfo.InvariantCulture, $"not valid YAML: line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return Error.Invalid(source, "a mapping is a YAML map of settings (columns:, values:, defaults:, ...); see docs/import-mappings.md");
        try
        {
            return Read(root, source);
        }
        catch (MappingFailure e)
        {
            return Error.Invalid($"{source}: {e.Key}", e.Message);
        }
    }

    private static readonly string[] Keys = ["kind", "delimiter", "time_zone", "time_format", "money", "currency", "rates", "assume", "returns",
        "create_missing", "line_times", "columns", "values", "defaults", "source", "lacks", "notes"];

    private static ImportMapping Read(YamlMappingNode root, string source)
    {
        var top = Map(root, "");
        foreach (var key in top.Keys.Where(k => !Keys.Contains(k)))
            throw new MappingFailure(key, $"unknown setting (known: {string.Join(", ", Keys)})");

        ImportKind? kind = top.TryGetValue("kind", out var k)
            ? Enum.TryParse<ImportKind>(Text(k, "kind"), ignoreCase: true, out var parsed) && !int.TryParse(Text(k, "kind"), CultureInfo.InvariantCulture, out _)
                ? parsed : throw new MappingFailure("kind", "must be customers, products, orders, events or spend")
            : null;
        var delimiter = top.TryGetValue("delimiter", out var d) ? Text(d, "delimiter") switch
        {
            "," => (byte)',',
            ";" => (byte)';',
            "|" => (byte)'|',
            "\t" or "tab" => (byte)'\t',
            "whitespace" => Csv.CsvReader.Whitespace,
            var other => throw new MappingFailure("delimiter", $"'{other}' is not one of \",\", \";\", \"|\", tab, whitespace"),
        } : (byte)',';
        string? zone = null;
        if (top.TryGetValue("time_zone", out var z))
        {
            zone = Text(z, "time_zone");
            if (!ParseContext.IsTimeZone(zone)) throw new MappingFailure("time_zone", $"unknown time zone '{zone}' (an IANA id such as Asia/Shanghai)");
        }
        var formats = top.TryGetValue("time_format", out var f) ? TextList(f, "time_format") : [];
        foreach (var format in formats)
        {
            try
            {
                _ = DateTime.MinValue.ToString(format, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new MappingFailure("time_format", $"'{format}' is not a .NET date format (e.g. dd/MM/yyyy HH:mm)");
            }
        }
        var money = top.TryGetValue("money", out var m) ? Text(m, "money") : "yuan";
        if (money is not ("yuan" or "fen" or "major" or "minor"))
            throw new MappingFailure("money", $"'{money}' is not yuan (major units, 12.34) or fen (minor units, 1234)");
        string? currency = null;
        if (top.TryGetValue("currency", out var c))
        {
            var code = Primitives.Currency.Parse(Text(c, "currency"));
            currency = code.IsSuccess ? code.Value.Code : throw new MappingFailure("currency", code.Error!.Message);
        }
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (top.TryGetValue("rates", out var r))
            foreach (var (from, rate) in Map(r, "rates"))
            {
                var code = Primitives.Currency.Parse(from);
                if (!code.IsSuccess) throw new MappingFailure("rates." + from, code.Error!.Message);
                if (!decimal.TryParse(Text(rate, "rates." + from), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > 1_000_000)
                    throw new MappingFailure("rates." + from, "a rate is a positive decimal: units of the store's currency per unit of this one (e.g. 9.05)");
                rates[code.Value.Code] = value;
            }
        var assume = top.TryGetValue("assume", out var a) ? Text(a, "assume") switch
        {
            "paid" => PaidAssumption.Paid,
            "pending" => PaidAssumption.Pending,
            var other => throw new MappingFailure("assume", $"'{other}' is not paid or pending"),
        } : PaidAssumption.Unstated;
        string? returnPrefix = null;
        if (top.TryGetValue("returns", out var ret))
        {
            var settings = Map(ret, "returns");
            foreach (var key in settings.Keys.Where(key => key != "order_id_prefix"))
                throw new MappingFailure("returns." + key, "unknown setting (known: order_id_prefix)");
            if (settings.TryGetValue("order_id_prefix", out var prefix)) returnPrefix = Text(prefix, "returns.order_id_prefix");
        }
        var lineTimes = top.TryGetValue("line_times", out var lt) ? Text(lt, "line_times") : "same";
        if (lineTimes is not ("same" or "earliest"))
            throw new MappingFailure("line_times", $"'{lineTimes}' is not same (lines of an order must agree on placed_at) or earliest");

        var known = kind is { } kk ? KnownColumns(kk) : Enum.GetValues<ImportKind>().SelectMany(KnownColumns).ToHashSet(StringComparer.Ordinal);
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        if (top.TryGetValue("columns", out var cols))
            foreach (var (target, from) in Map(cols, "columns"))
            {
                if (!known.Contains(target)) throw new MappingFailure("columns." + target, $"'{target}' is not a column Flywheel reads (see the CSV contract)");
                var text = Text(from, "columns." + target);
                if (text.Contains('{', StringComparison.Ordinal) && TemplateColumns(text).Count == 0)
                    throw new MappingFailure("columns." + target, "a template names source columns in braces, e.g. \"{customer_id}-{date}\"");
                columns[target] = text;
            }
        var values = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (top.TryGetValue("values", out var vals))
            foreach (var (target, table) in Map(vals, "values"))
            {
                if (!known.Contains(target)) throw new MappingFailure("values." + target, $"'{target}' is not a column Flywheel reads");
                values[target] = Map(table, "values." + target).ToDictionary(p => p.Key, p => Text(p.Value, $"values.{target}.{p.Key}"), StringComparer.Ordinal);
            }
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        if (top.TryGetValue("defaults", out var defs))
            foreach (var (target, value) in Map(defs, "defaults"))
            {
                if (!known.Contains(target)) throw new MappingFailure("defaults." + target, $"'{target}' is not a column Flywheel reads");
                defaults[target] = Text(value, "defaults." + target);
            }
        var create = top.TryGetValue("create_missing", out var cm) && Text(cm, "create_missing") switch
        {
            "true" => true,
            "false" => false,
            var other => throw new MappingFailure("create_missing", $"'{other}' is not true or false"),
        };
        return new ImportMapping
        {
            Source = source,
            Kind = kind,
            Delimiter = delimiter,
            TimeZone = zone,
            TimeFormats = formats,
            MoneyInFen = money is "fen" or "minor",
            Currency = currency,
            Rates = rates,
            Assume = assume,
            ReturnPrefix = returnPrefix,
            CreateMissing = create,
            EarliestPlacedAt = lineTimes == "earliest",
            Columns = columns,
            Values = values,
            Defaults = defaults,
        };
    }

    /// <summary>The columns a mapping may fill for a kind: its contract and the extras.</summary>
    public static HashSet<string> KnownColumns(ImportKind kind)
    {
        var (required, optional) = Parsing.Columns.Contract[kind];
        return [.. required, .. optional, .. ExtraColumns.GetValueOrDefault(kind, [])];
    }

    /// <summary>The source columns a template names ("{a}-{b}" → a, b).</summary>
    public static IReadOnlyList<string> TemplateColumns(string template)
    {
        var names = new List<string>();
        var at = 0;
        while ((at = template.IndexOf('{', at)) >= 0)
        {
            var end = template.IndexOf('}', at + 1);
            if (end < 0) return [];
            names.Add(template[(at + 1)..end].Trim().ToLowerInvariant());
            at = end + 1;
        }
        return names;
    }

    /// <summary>Whether a target column can be filled: mapped from a source column the file has, a template whose columns it has, or a default.</summary>
    public bool Fills(string target, IReadOnlyCollection<string> header)
    {
        if (Defaults.ContainsKey(target)) return true;
        if (!Columns.TryGetValue(target, out var from)) return header.Contains(target);
        var names = TemplateColumns(from);
        return names.Count > 0 ? names.All(header.Contains) : header.Contains(from.Trim().ToLowerInvariant());
    }

    private static Dictionary<string, YamlNode> Map(YamlNode node, string key)
    {
        if (node is not YamlMappingNode map) throw new MappingFailure(key.Length == 0 ? "(top)" : key, "expected a map of key: value");
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (name, value) in map.Children)
        {
            var text = name is YamlScalarNode { Value: { } s } ? s : throw new MappingFailure(key, "a key is plain text");
            if (!result.TryAdd(text, value)) throw new MappingFailure(key.Length == 0 ? text : key + "." + text, "appears twice");
        }
        return result;
    }

    private static string Text(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { } s } ? s : throw new MappingFailure(key, "expected a text value");

    private static string[] TextList(YamlNode node, string key) => node switch
    {
        YamlScalarNode { Value: { } s } => [s],
        YamlSequenceNode list => [.. list.Children.Select((n, i) => Text(n, $"{key}[{i}]"))],
        _ => throw new MappingFailure(key, "expected a text value or a list of them"),
    };

    private sealed class MappingFailure(string key, string message) : Exception(message)
    {
        public string Key { get; } = key;
    }
}
