using System.Text.RegularExpressions;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Auth;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// The postdeploy hook gives every trading function (found by reflection over src/NeuraTrade.Functions, so a new one
/// cannot be forgotten) a named function key after the code is deployed, keeps a key that exists, never prints or sets
/// a key value, and fails rather than leave a function without its key. The sh hook runs against a stand-in az.
/// </summary>
public sealed partial class PostdeployHookTests
{
    private const string Group = "rg-neuratrade-dev";
    private const string App = "func-neuratrade-abc";

    // The stand-in az: `function show` fails for the functions in FAKE_AZ_MISSING; `function keys list --query
    // contains(...)` answers true for those in FAKE_AZ_KEYED.
    private const string AzAnswer = """
        fn=""; prev=""
        for a in "$@"; do [ "$prev" = "--function-name" ] && fn="$a"; prev="$a"; done
        if [ "$1 $2 $3" = "functionapp function show" ]; then
          case " ${FAKE_AZ_MISSING:-} " in *" $fn "*) exit 3 ;; esac
          echo "$fn"
        fi
        if [ "$1 $2 $3 $4" = "functionapp function keys list" ]; then
          case " ${FAKE_AZ_KEYED:-} " in *" $fn "*) echo true ;; *) echo false ;; esac
        fi
        """;

    private static readonly string[] Trading = TradingActions.Find(typeof(ScalpingFunctions).Assembly).Select(a => a.Name).ToArray();

    [Fact]
    public void Both_hooks_list_exactly_the_trading_functions_of_the_functions_project()
    {
        Assert.Equal(["AiDecision", "ArbitrageToggle", "ScalpingClosePosition", "ScalpingKill", "ScalpingToggle"], Trading);

        var sh = ShList().Match(File.ReadAllText(Repository.File("infra", "hooks", "postdeploy.sh")));
        var ps1 = Ps1List().Match(File.ReadAllText(Repository.File("infra", "hooks", "postdeploy.ps1")));
        Assert.True(sh.Success && ps1.Success, "TRADING_FUNCTIONS=\"...\" / $tradingFunctions = @(...) not found");
        Assert.Equal(Trading, sh.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(Trading, ps1.Groups[1].Value.Split(',').Select(n => n.Trim().Trim('\'')).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Azure_yaml_runs_the_postdeploy_hook_in_sh_and_pwsh()
    {
        var yaml = File.ReadAllText(Repository.File("azure.yaml")).ReplaceLineEndings("\n");

        Assert.Contains(
            "  postdeploy:\n    posix:\n      shell: sh\n      run: ./infra/hooks/postdeploy.sh\n    windows:\n      shell: pwsh\n      run: ./infra/hooks/postdeploy.ps1\n",
            yaml,
            StringComparison.Ordinal);
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Repository.File("infra", "hooks", "postdeploy.sh")), StringComparison.Ordinal);
        foreach (var script in new[] { "postdeploy.sh", "postdeploy.ps1" })
        {
            var text = File.ReadAllText(Repository.File("infra", "hooks", script));
            Assert.DoesNotContain("\r\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("--key-value", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task After_a_deploy_each_trading_function_gets_a_generated_key_named_trading()
    {
        using var az = new FakeCommandLine("az", AzAnswer);

        var run = await az.RunHookAsync("postdeploy.sh", HookEnvironment());

        Assert.True(run.ExitCode == 0, run.Output);
        var sets = run.Calls.Where(c => c.Take(4).SequenceEqual(["functionapp", "function", "keys", "set"])).ToList();
        Assert.Equal(Trading, sets.Select(c => Argument(c, "--function-name")).Order(StringComparer.Ordinal));
        Assert.All(sets, c =>
        {
            Assert.Equal(Group, Argument(c, "--resource-group"));
            Assert.Equal(App, Argument(c, "--name"));
            Assert.Equal("trading", Argument(c, "--key-name"));
            Assert.Equal("none", Argument(c, "--output"));
            Assert.DoesNotContain("--key-value", c);
        });

        // Every function was looked up (and waited for) before its key was made.
        Assert.Equal(Trading, run.Calls.Where(c => c.Take(3).SequenceEqual(["functionapp", "function", "show"])).Select(c => Argument(c, "--function-name")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_redeploy_keeps_the_keys_that_exist_and_makes_only_the_missing_one_under_the_name_asked_for()
    {
        using var az = new FakeCommandLine("az", AzAnswer);
        var run = await az.RunHookAsync("postdeploy.sh", HookEnvironment(("FAKE_AZ_KEYED", "AiDecision ScalpingToggle ScalpingClosePosition ArbitrageToggle"), ("AZURE_TRADING_KEY_NAME", "desk")));

        Assert.True(run.ExitCode == 0, run.Output);
        var set = Assert.Single(run.Calls, c => c.Take(4).SequenceEqual(["functionapp", "function", "keys", "set"]));
        Assert.Equal("ScalpingKill", Argument(set, "--function-name"));
        Assert.Equal("desk", Argument(set, "--key-name"));
        Assert.All(run.Calls.Where(c => c.Contains("list")), c => Assert.Equal("contains(keys(@), 'desk')", Argument(c, "--query")));
    }

    [Fact]
    public async Task A_trading_function_missing_from_the_app_fails_the_hook_naming_it()
    {
        using var az = new FakeCommandLine("az", AzAnswer);
        var run = await az.RunHookAsync("postdeploy.sh", HookEnvironment(("FAKE_AZ_MISSING", "ScalpingKill"), ("AZURE_POSTDEPLOY_ATTEMPTS", "1")));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("ScalpingKill", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_az_or_a_missing_app_name_fails_the_hook()
    {
        using var az = new FakeCommandLine("az", AzAnswer) { ExitCode = 2 };
        var environment = HookEnvironment(("AZURE_POSTDEPLOY_ATTEMPTS", "1"));

        var failing = await az.RunHookAsync("postdeploy.sh", environment);
        environment.Remove("AZURE_FUNCTION_APP_NAME");
        var unnamed = await az.RunHookAsync("postdeploy.sh", environment);

        Assert.NotEqual(0, failing.ExitCode);
        Assert.DoesNotContain(failing.Calls, c => c.Contains("set"));
        Assert.NotEqual(0, unnamed.ExitCode);
        Assert.Contains("AZURE_FUNCTION_APP_NAME", unnamed.Output, StringComparison.Ordinal);
        Assert.Empty(unnamed.Calls);
    }

    /// <summary>What azd hands the hook (the resource group and app from provisioning), plus <paramref name="more"/>.</summary>
    private static Dictionary<string, string> HookEnvironment(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["AZURE_RESOURCE_GROUP"] = Group, ["AZURE_FUNCTION_APP_NAME"] = App };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static string Argument(IReadOnlyList<string> call, string option)
    {
        var index = call.ToList().IndexOf(option);
        Assert.True(index >= 0 && index + 1 < call.Count, $"{option} missing from: az {string.Join(' ', call)}");
        return call[index + 1];
    }

    [GeneratedRegex("^TRADING_FUNCTIONS=\"([^\"]*)\"$", RegexOptions.Multiline)]
    private static partial Regex ShList();

    [GeneratedRegex(@"^\$tradingFunctions = @\(([^)]*)\)$", RegexOptions.Multiline)]
    private static partial Regex Ps1List();
}
