using System.Reflection;
using System.Text.RegularExpressions;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Tools;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The tools depend on the brain (the call scope they record in, the strategies), never the other way round: the brain
/// reaches its tools through <see cref="IToolCatalog"/>, which it defines. Checked on the compiled types (every
/// signature, field, base type and interface of a Brain type) and on the Brain folder's source (a use inside a method body).
/// </summary>
public sealed partial class BrainToolsDependencyTests
{
    private const string Brain = "NeuraTrade.Core.Brain";
    private const string Tools = "NeuraTrade.Core.Tools";

    [Fact]
    public void No_brain_type_names_a_tools_type()
    {
        var offenders = typeof(LlmBrain).Assembly.GetTypes()
            .Where(t => t.Namespace == Brain)
            .SelectMany(t => Referenced(t).Where(r => r.Namespace == Tools).Select(r => $"{t.FullName} -> {r.FullName}"))
            .Distinct()
            .ToList();
        Assert.Empty(offenders);
        Assert.Contains(typeof(IToolCatalog), typeof(ToolRegistry).GetInterfaces());
    }

    [Fact]
    public void No_brain_source_file_uses_the_tools_namespace()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "NeuraTrade.Core", "Brain");
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var offenders = files.Where(f => ToolsUse().IsMatch(File.ReadAllText(f))).Select(Path.GetFileName).ToList();
        Assert.Empty(offenders);
    }

    /// <summary><c>NeuraTrade.Core.Tools</c>, or <c>Tools.X</c> (which a Brain file resolves through the enclosing namespace).</summary>
    [GeneratedRegex(@"NeuraTrade\.Core\.Tools\b|(?<![\w.])Tools\.[A-Z]")]
    private static partial Regex ToolsUse();

    private static IEnumerable<Type> Referenced(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var direct = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            direct.Add(baseType);
        }

        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(all).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                direct.Add(info.ReturnType);
            }

            if (method.GetMethodBody() is { } body)
            {
                direct.AddRange(body.LocalVariables.Select(v => v.LocalType));
            }
        }

        return direct.SelectMany(Unwrap);
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }

        return type.IsGenericType ? [type, .. type.GetGenericArguments().SelectMany(Unwrap)] : [type];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuraTrade.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (NeuraTrade.sln) not found above " + AppContext.BaseDirectory);
    }
}
