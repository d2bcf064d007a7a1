using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Flywheel.Architecture.Tests.Rules;

/// <summary>
/// Every type a compiled type refers to — signatures, fields, base types, attributes, and the operands of its method bodies —
/// read from the IL with Mono.Cecil, so a reference hidden in a lambda or an async state machine is found too (it is reported
/// under the outermost type that declares it).
/// </summary>
internal static class TypeReferences
{
    public sealed record Use(string FromType, string ToType, string? Member);

    public static IEnumerable<Use> Of(string assemblyPath, Func<TypeDefinition, bool> include)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is not null) outer = outer.DeclaringType;
            if (!include(outer)) continue;
            foreach (var use in Uses(type)) yield return new Use(outer.FullName, use.Type, use.Member);
        }
    }

    private static IEnumerable<(string Type, string? Member)> Uses(TypeDefinition type)
    {
        var found = new List<(string, string?)>();
        void Add(TypeReference? reference, string? member = null)
        {
            switch (reference)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType, member);
                    foreach (var argument in generic.GenericArguments) Add(argument);
                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType, member);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add((reference.FullName, member));
                    return;
            }
        }
        Add(type.BaseType);
        foreach (var i in type.Interfaces) Add(i.InterfaceType);
        foreach (var a in type.CustomAttributes) Add(a.AttributeType);
        foreach (var f in type.Fields) Add(f.FieldType);
        foreach (var p in type.Properties) Add(p.PropertyType);
        foreach (var method in type.Methods)
        {
            Add(method.ReturnType);
            foreach (var p in method.Parameters) Add(p.ParameterType);
            foreach (var a in method.CustomAttributes) Add(a.AttributeType);
            if (!method.HasBody) continue;
            foreach (var v in method.Body.Variables) Add(v.VariableType);
            foreach (var instruction in method.Body.Instructions)
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MethodReference m:
                        Add(m.DeclaringType, m.Name);
                        Add(m.ReturnType);
                        foreach (var p in m.Parameters) Add(p.ParameterType);
                        break;
                    case FieldReference f:
                        Add(f.DeclaringType, f.Name);
                        Add(f.FieldType);
                        break;
                }
        }
        return found;
    }

    public static bool Calls(MethodBody body, string declaringType, string member) =>
        body.Instructions.Any(i => i.Operand is MemberReference m && m.DeclaringType?.FullName == declaringType && m.Name == member);
}
