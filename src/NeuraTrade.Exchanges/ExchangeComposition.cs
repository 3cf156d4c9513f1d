using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Exchanges;

/// <summary>Registers the configured <see cref="IExchange"/> (settings section <c>Exchange</c>).</summary>
public static class ExchangeComposition
{
    public static IServiceCollection AddNeuraTradeExchange(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaperExchangeOptions>()
            .Bind(configuration.GetSection(PaperExchangeOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => string.Equals(o.Name, "paper", StringComparison.OrdinalIgnoreCase), "Exchange:Name must be 'paper' in this build (live exchanges are not wired yet).")
            .ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value;
            return CandleReplay.Load(ResolvePath(o.ReplayDirectory), o.ReplaySpeed);
        });
        services.AddSingleton<IExchange, PaperExchange>();
        return services;
    }

    private static string ResolvePath(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}
