using System.Reflection;
using System.Text.RegularExpressions;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The namespace cycles that were broken stay broken. The tools depend on the brain (the call scope they record in, the
/// strategies), never the other way round: the brain reaches its tools through <see cref="IToolCatalog"/>, which it
/// defines. The risk gate depends on nothing of the scalper: its limits are <see cref="RiskLimits"/> (which the
/// scalper's options extend) and the running figures it reads are <see cref="IRiskState"/>. Checked on the compiled
/// types (every signature, field, base type, interface and local of a type in the namespace) and on the folder's source
/// (a use inside a method body or a doc reference).
/// </summary>
public sealed class NamespaceDependencyTests
{
    [Theory]
    [InlineData("Brain", "Tools")]
    [InlineData("Risk", "Scalping")]
    public void No_type_of_the_namespace_names_a_type_of_the_other(string from, string to)
    {
        var types = typeof(LlmBrain).Assembly.GetTypes().Where(t => t.Namespace == $"NeuraTrade.Core.{from}").ToList();
        Assert.NotEmpty(types);
        var offenders = types
            .SelectMany(t => Referenced(t).Where(r => r.Namespace == $"NeuraTrade.Core.{to}").Select(r => $"{t.FullName} -> {r.FullName}"))
            .Distinct()
            .ToList();
        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("Brain", "Tools")]
    [InlineData("Risk", "Scalping")]
    public void No_source_file_of_the_namespace_uses_the_other(string from, string to)
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "NeuraTrade.Core", from);
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        // NeuraTrade.Core.X, or X.Type (which a file resolves through the enclosing namespace).
        var use = new Regex($@"NeuraTrade\.Core\.{to}\b|(?<![\w.]){to}\.[A-Z]");
        var offenders = files.Where(f => use.IsMatch(File.ReadAllText(f))).Select(Path.GetFileName).ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_tools_and_the_limits_come_through_the_types_the_dependent_side_defines()
    {
        Assert.Contains(typeof(IToolCatalog), typeof(ToolRegistry).GetInterfaces());
        Assert.True(typeof(RiskLimits).IsAssignableFrom(typeof(ScalpingOptions)));
        Assert.Contains(typeof(IRiskState), typeof(ScalpingState).GetInterfaces());
    }

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
