using System.Collections;
using System.Reflection;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.RateLimits;
using NeuraTrade.Storage;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// Every key the project's sections can hold, read off the options types' bindable properties (recursively; a dictionary
/// takes any key, an array any index). A key is matched in PascalCase or the seed's snake_case (<c>max_positions</c> =
/// <c>MaxPositions</c>); anything else is unknown, with the closest known key as a hint.
/// </summary>
public static class SettingsSchema
{
    /// <summary>The seed's other names: both spellings bind the same value (the canonical one is the value).</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Scalping:MinSpreadPercent"] = "Scalping:MinNetEdgePercent",
    };

    /// <summary>Keys that were settings once: what to set instead.</summary>
    private static readonly Dictionary<string, string> Removed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Exchange:MinSpreadPercent"] = "it was removed: the replay's spread is one tick of the market (markets.json beside the candle files), widened by Exchange:RangeSpreadFactor; the least an entry must earn is Scalping:MinNetEdgePercent",
        ["Exchange:TickSize"] = "it was removed: the replay's price tick comes from markets.json beside the candle files",
    };

    private static readonly SettingNode Root = BuildRoot();

    /// <summary>The project's sections, in the order the README lists them.</summary>
    public static IReadOnlyList<string> Sections { get; } = Root.Children.Keys.ToList();

    /// <summary>True when <paramref name="segment"/> (the first segment of a key) names one of <see cref="Sections"/>, in either spelling.</summary>
    public static bool IsProjectSection(string segment) => Root.Find(segment) is not null;

    /// <summary>
    /// The key as the options bind it (<c>scalping:max_positions</c> → <c>Scalping:MaxPositions</c>, dictionary keys and
    /// indexes kept), whether its value is a duration, or why it binds to nothing.
    /// </summary>
    public static SettingKey Resolve(string key)
    {
        var segments = key.Split(':');
        var node = Root;
        var canonical = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (node.Find(segment) is { } named)
            {
                canonical.Add(named.Name);
                node = named.Node;
            }
            else if (node.Element is { } element && (node.Indexed ? int.TryParse(segment, out _) : segment.Length > 0))
            {
                canonical.Add(segment);
                node = element;
            }
            else
            {
                return new SettingKey(key, null, false, Unknown(key, string.Join(':', canonical), segment, node));
            }
        }

        var path = string.Join(':', canonical);
        return Removed.TryGetValue(path, out var hint)
            ? new SettingKey(key, null, false, $"{path} is not a setting: {hint}.")
            : new SettingKey(key, Aliases.TryGetValue(path, out var target) ? target : path, node.IsDuration, null);
    }

    private static string Unknown(string key, string parent, string segment, SettingNode node)
    {
        var known = parent.Length == 0 ? key : $"{parent}:{segment}";
        if (Removed.TryGetValue(known, out var hint))
        {
            return $"{known} is not a setting: {hint}.";
        }

        var written = $"{key} is not a setting";
        var closest = node.Children.Keys
            .Select(name => (Name: name, Distance: Levenshtein(Plain(segment), Plain(name))))
            .Where(c => c.Distance <= Math.Max(2, c.Name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return closest is not null
            ? $"{written}: did you mean {(parent.Length == 0 ? closest : $"{parent}:{closest}")}?"
            : node.Children.Count == 0
                ? $"{written}: {(parent.Length == 0 ? known : parent)} has no settings."
                : $"{written}; the keys of {(parent.Length == 0 ? "the settings" : parent)} are {string.Join(", ", node.Children.Keys)}.";
    }

    /// <summary>A key name without case or underscores: how both spellings compare.</summary>
    internal static string Plain(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static SettingNode BuildRoot()
    {
        var exchange = SettingNode.Of(typeof(PaperExchangeOptions));
        exchange.Children["Binance"] = SettingNode.Of(typeof(BinanceOptions));
        var storage = SettingNode.Of(typeof(TableStorageOptions));

        // Read by the storage target beside the options (a table endpoint for the managed identity).
        storage.Children["TableServiceUri"] = SettingNode.Leaf(typeof(string));
        var root = new SettingNode();
        root.Children[BrainOptions.Section] = SettingNode.Of(typeof(BrainOptions));
        root.Children[ScalpingOptions.Section] = SettingNode.Of(typeof(ScalpingOptions));
        root.Children[ArbitrageOptions.Section] = SettingNode.Of(typeof(ArbitrageOptions));
        root.Children[PaperExchangeOptions.Section] = exchange;
        root.Children[TradingOptions.Section] = SettingNode.Of(typeof(TradingOptions));
        root.Children[TableStorageOptions.Section] = storage;
        root.Children[AuthOptions.Section] = SettingNode.Of(typeof(AuthOptions));
        root.Children[LocalHostOptions.Section] = SettingNode.Of(typeof(LocalHostOptions));
        root.Children[RateLimitOptions.Section] = SettingNode.Of(typeof(RateLimitOptions));
        return root;
    }

    /// <summary>One level of keys: named children (properties), or any key/index (<see cref="Element"/>).</summary>
    private sealed class SettingNode
    {
        public Dictionary<string, SettingNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public SettingNode? Element { get; private init; }

        public bool Indexed { get; private init; }

        public bool IsDuration { get; private init; }

        public (string Name, SettingNode Node)? Find(string segment)
        {
            if (Children.TryGetValue(segment, out var exact))
            {
                return (Children.Keys.First(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase)), exact);
            }

            var plain = Plain(segment);
            var match = Children.FirstOrDefault(c => Plain(c.Key) == plain);
            return match.Value is null ? null : (match.Key, match.Value);
        }

        public static SettingNode Leaf(Type type) => new() { IsDuration = (Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan) };

        public static SettingNode Of(Type type)
        {
            var node = new SettingNode();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0))
            {
                node.Children[property.Name] = ForType(property.PropertyType);
            }

            return node;
        }

        private static SettingNode ForType(Type type)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal) || underlying == typeof(TimeSpan))
            {
                return Leaf(underlying);
            }

            if (underlying.IsArray)
            {
                // A list as indexed keys (Scalping:Symbols:0) or, where the binding reads it so, one comma-separated value.
                return new SettingNode { Element = ForType(underlying.GetElementType()!), Indexed = true };
            }

            if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                return new SettingNode { Element = ForType(underlying.GetGenericArguments()[1]) };
            }

            return typeof(IEnumerable).IsAssignableFrom(underlying)
                ? throw new NotSupportedException($"Settings of type {underlying.Name} are not described by {nameof(SettingsSchema)}.")
                : Of(underlying);
        }
    }
}

/// <summary>
/// A key as written and what it binds to: <see cref="Canonical"/> (null when it binds to nothing; <see cref="Error"/> says
/// why and suggests the closest key), and whether its value is a duration.
/// </summary>
public sealed record SettingKey(string Written, string? Canonical, bool IsDuration, string? Error);
