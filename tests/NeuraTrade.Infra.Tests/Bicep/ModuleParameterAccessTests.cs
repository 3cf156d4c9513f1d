namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// What a module reads from an object parameter is what its caller passes: the check that would have caught
/// key-vault.bicep reading secretNames.Exchange__ApiKey while main.bicep passes Exchange__Binance__ApiKey.
/// </summary>
public sealed class ModuleParameterAccessTests
{
    [Fact]
    public async Task Every_property_a_module_reads_from_a_parameter_is_in_what_main_bicep_passes()
    {
        var accesses = ModuleParameterAccess.Check((await CompiledTemplate.MainAsync()).Root);

        var problems = accesses.Where(a => a.Problem is not null).Select(a => a.ToString()).ToList();
        Assert.True(problems.Count == 0, "Module parameter reads that the caller's argument does not satisfy:\n" + string.Join('\n', problems));

        // The check saw the reads it exists for: one secret name per Key Vault secret.
        Assert.Equal(
            ["parameters('secretNames').AI__ApiKey", "parameters('secretNames').Exchange__Binance__ApiKey", "parameters('secretNames').Exchange__Binance__ApiSecret"],
            accesses.Where(a => a.Module == "key-vault" && a.Expression.StartsWith("parameters('secretNames')", StringComparison.Ordinal))
                .Select(a => a.Expression).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task No_module_parameter_is_an_untyped_object()
    {
        var template = await CompiledTemplate.MainAsync();

        var modules = CompiledTemplate.ResourcesOfType(template.Root, "Microsoft.Resources/deployments");
        Assert.NotEmpty(modules);
        foreach (var module in modules)
        {
            var parameters = module["properties"]!["template"]!["parameters"]!.AsObject();
            foreach (var (name, declaration) in parameters)
            {
                // A user-defined type compiles to a $ref into the template's definitions; a bare "object" accepts anything.
                var untyped = CompiledTemplate.Text(declaration!["type"]) is "object" or "secureObject"
                    && declaration["$ref"] is null && declaration["properties"] is null && declaration["additionalProperties"] is null;
                Assert.False(untyped, $"{CompiledTemplate.Text(module["name"])}.{name} is an untyped object: give it a type (infra/types.bicep)");
            }
        }

        var vault = template.Module("key-vault");
        Assert.Equal("#/definitions/KeyVaultSecretNames", CompiledTemplate.Text(vault["parameters"]!["secretNames"]!["$ref"]));
        Assert.Equal(
            ["AI__ApiKey", "Exchange__Binance__ApiKey", "Exchange__Binance__ApiSecret"],
            vault["definitions"]!["KeyVaultSecretNames"]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_check_reports_a_property_the_caller_never_passes_and_an_argument_it_cannot_follow()
    {
        // Untyped object parameters, so Bicep itself compiles these without a word: only the check can object.
        var directory = Directory.CreateTempSubdirectory("neuratrade-module-access-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "main.bicep"), """
                var names = {
                  present: 'a'
                  'with-hyphen': 'b'
                }

                module outer 'outer.bicep' = {
                  name: 'outer'
                  params: {
                    names: names
                  }
                }

                module merged 'merged.bicep' = {
                  name: 'merged'
                  params: {
                    names: union(names, { extra: 'c' })
                  }
                }

                output fromOuter string = outer.outputs.present
                output fromMerged string = merged.outputs.extra
                """);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "outer.bicep"), """
                param names object

                module inner 'inner.bicep' = {
                  name: 'inner'
                  params: {
                    names: names
                  }
                }

                output present string = names.present
                output hyphen string = names['with-hyphen']
                output fromInner string = inner.outputs.missing
                """);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "inner.bicep"), """
                param names object

                output missing string = names.missing
                output quoted string = names['no-such']
                output present string = names.PRESENT
                """);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "merged.bicep"), """
                param names object

                output extra string = names.extra
                """);

            var accesses = ModuleParameterAccess.Check(await CompiledTemplate.BuildAsync(directory.FullName, "main.bicep"));

            // Passed through two modules from main's variable: present (in any case, as ARM reads it) and the quoted key pass.
            Assert.Equal(
                ["outer/inner: parameters('names').PRESENT", "outer: parameters('names').present", "outer: parameters('names')['with-hyphen']"],
                accesses.Where(a => a.Problem is null).Select(a => a.ToString()).Order(StringComparer.Ordinal));

            var problems = accesses.Where(a => a.Problem is not null).OrderBy(a => a.Expression, StringComparer.Ordinal).ToList();
            Assert.Collection(
                problems,
                p => Assert.Equal(("merged", "parameters('names').extra"), (p.Module, p.Expression)),
                p => Assert.Equal(("outer/inner", "parameters('names').missing"), (p.Module, p.Expression)),
                p => Assert.Equal(("outer/inner", "parameters('names')['no-such']"), (p.Module, p.Expression)));
            Assert.Contains("not an object literal this check can read", problems[0].Problem, StringComparison.Ordinal);
            Assert.Contains("has no property 'missing'; it has: present, with-hyphen", problems[1].Problem, StringComparison.Ordinal);
            Assert.Contains("has no property 'no-such'", problems[2].Problem, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
