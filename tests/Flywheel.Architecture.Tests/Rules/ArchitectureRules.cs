using System.Reflection;
using System.Text.RegularExpressions;
using Flywheel.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mono.Cecil;
using NetArchTest.Rules;

namespace Flywheel.Architecture.Tests.Rules;

/// <summary>
/// The rules of docs/adr/0009-modules.md as functions that list violations, each with what to do instead. The tests run them
/// over the real code (against the frozen list of known violations) and over planted violations, to show each rule can fail.
/// </summary>
internal static partial class ArchitectureRules
{
    /// <summary>A module uses another module only through that module's <c>Contracts</c> namespace.</summary>
    public static IReadOnlyList<string> ModuleReferences(ModuleInfo module, IReadOnlyList<ModuleInfo> modules, string? assemblyPath = null,
        Func<TypeDefinition, bool>? include = null)
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var use in TypeReferences.Of(assemblyPath ?? module.Assembly.Location, include ?? (_ => true)))
        {
            var target = modules.FirstOrDefault(m => m.Name != module.Name && use.ToType.StartsWith(m.Namespace + ".", StringComparison.Ordinal));
            if (target is null || use.ToType.StartsWith(target.Contracts + ".", StringComparison.Ordinal)) continue;
            violations.Add($"{module.Name}: {use.FromType} uses {Outer(use.ToType)} of module {target.Name}; use {target.Contracts} instead " +
                $"(ask {target.Name} to expose what you need there)");
        }
        return [.. violations];
    }

    /// <summary>The SQL of a module names only its own tables (and those granted to it in the ADR).</summary>
    public static IReadOnlyList<string> ForeignTables(string module, IEnumerable<(string File, string Text)> sources, IReadOnlyDictionary<string, string> owners,
        IReadOnlySet<(string Module, string Table)> grants)
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (file, text) in sources)
            foreach (Match match in TableName().Matches(text))
            {
                var table = match.Groups[1].Value;
                if (!owners.TryGetValue(table, out var owner) || owner == module || grants.Contains((module, table))) continue;
                violations.Add($"{module}: {file} names table {table} of module {owner} in SQL; ask {owner} through its Contracts instead " +
                    "(or, where a join is needed for speed, have the owner expose it as a query and record the grant in docs/adr/0009-modules.md)");
            }
        return [.. violations];
    }

    /// <summary>Every endpoint is mapped inside exactly one module's group, and a module maps only handlers of its own assembly.</summary>
    public static IReadOnlyList<string> EndpointsOutsideModules(IEnumerable<Endpoint> endpoints, IReadOnlyDictionary<string, Assembly> moduleAssemblies)
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            var route = $"{string.Join(",", endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} /{endpoint.RoutePattern.RawText?.TrimStart('/')}";
            var owners = endpoint.Metadata.GetOrderedMetadata<ModuleMetadata>();
            if (owners.Count != 1)
            {
                violations.Add(owners.Count == 0
                    ? $"{route} is mapped outside every module's Map method; map it in its module's Map<Module> through MapModuleGroup"
                    : $"{route} is mapped inside the groups of {string.Join(" and ", owners.Select(o => o.Module))}; map it once, in its own module");
                continue;
            }
            var handler = endpoint.Metadata.GetMetadata<MethodInfo>();
            var handlerAssembly = handler?.DeclaringType?.Assembly;
            if (moduleAssemblies.TryGetValue(owners[0].Module, out var expected) && handlerAssembly is not null && handlerAssembly != expected)
                violations.Add($"{route} belongs to {owners[0].Module} but its handler is in {handlerAssembly.GetName().Name}; move the handler into {expected.GetName().Name}");
            foreach (var (name, assembly) in moduleAssemblies)
                if (name != owners[0].Module && handlerAssembly == assembly)
                    violations.Add($"{route} runs a handler of {name} but is mapped by {owners[0].Module}; map it in {name}'s Map method");
        }
        return [.. violations];
    }

    /// <summary>Internals are seen by tests and benchmarks only: no production assembly grants <c>InternalsVisibleTo</c> to another.</summary>
    public static IReadOnlyList<string> InternalsGrantedToProduction(IEnumerable<(string Assembly, IEnumerable<string> GrantedTo)> assemblies) =>
        [.. assemblies.SelectMany(a => a.GrantedTo
                .Where(to => !to.EndsWith(".Tests", StringComparison.Ordinal) && to != "Flywheel.Benchmarks")
                .Select(to => $"{a.Assembly} lets {to} see its internals; expose what {to} needs in {a.Assembly}'s Contracts (or its door) instead"))
            .Order(StringComparer.Ordinal)];

    /// <summary>What a <c>Domain/</c> type may not depend on: I/O, SQL, DI, hosting, the web, the command line.</summary>
    public static string[] ForbiddenInDomain(string moduleNamespace) =>
    [
        "System.Data", "Microsoft.Data", "Npgsql", "Flywheel.Storage", "Flywheel.Hosting", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Options", "Microsoft.AspNetCore", "System.Net.Http", "System.Net.Sockets", "System.CommandLine", "System.IO.File",
        "System.IO.Directory", "System.IO.FileStream", moduleNamespace + ".Storage", moduleNamespace + ".Features",
    ];

    /// <summary><c>Domain/</c> types are pure: no I/O, no DI, no wall clock (time comes in as an argument).</summary>
    public static IReadOnlyList<string> ImpureDomain(string moduleNamespace, Assembly assembly, string domainNamespace)
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var result = Types.InAssembly(assembly).That().ResideInNamespace(domainNamespace)
            .ShouldNot().HaveDependencyOnAny(ForbiddenInDomain(moduleNamespace)).GetResult();
        foreach (var type in result.FailingTypeNames ?? [])
            violations.Add($"{type} is in Domain but depends on I/O, DI or another layer ({string.Join(", ", Forbidden(type, moduleNamespace, assembly))}); " +
                "move that part into Features/ or Storage/ and pass the data in");
        using var definition = AssemblyDefinition.ReadAssembly(assembly.Location);
        foreach (var type in definition.MainModule.GetTypes().Where(t => t.Namespace.StartsWith(domainNamespace, StringComparison.Ordinal) ||
                     t.DeclaringType?.Namespace.StartsWith(domainNamespace, StringComparison.Ordinal) == true))
            foreach (var method in type.Methods.Where(m => m.HasBody))
                foreach (var (declaring, member) in WallClock)
                    if (TypeReferences.Calls(method.Body, declaring, member))
                        violations.Add($"{type.FullName}.{method.Name} reads the wall clock ({declaring}.{member.Replace("get_", "", StringComparison.Ordinal)}); " +
                            "take the time as an argument (a TimeProvider injected above Domain)");
        return [.. violations];
    }

    private static readonly (string Type, string Member)[] WallClock =
    [
        ("System.TimeProvider", "get_System"), ("System.DateTime", "get_Now"), ("System.DateTime", "get_UtcNow"),
        ("System.DateTimeOffset", "get_Now"), ("System.DateTimeOffset", "get_UtcNow"),
    ];

    private static IEnumerable<string> Forbidden(string typeName, string moduleNamespace, Assembly assembly)
    {
        var uses = TypeReferences.Of(assembly.Location, t => t.FullName == typeName).Select(u => u.ToType).ToList();
        return ForbiddenInDomain(moduleNamespace).Where(f => uses.Any(u => u.StartsWith(f, StringComparison.Ordinal)));
    }

    private static string Outer(string type) => type.Split('/')[0];

    /// <summary>A table named where SQL names tables: after FROM, JOIN, INTO, UPDATE, TABLE, COPY.</summary>
    [GeneratedRegex(@"\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?|COPY)\s+([a-z_][a-z0-9_]*)\b")]
    private static partial Regex TableName();

    /// <summary>The C# files under a project folder, without build output.</summary>
    public static IEnumerable<(string File, string Text)> Sources(string projectFolder)
    {
        var root = Path.Combine(ModuleCatalog.RepositoryRoot, projectFolder);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(ModuleCatalog.RepositoryRoot, file).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)) continue;
            yield return (relative, File.ReadAllText(file));
        }
    }
}
