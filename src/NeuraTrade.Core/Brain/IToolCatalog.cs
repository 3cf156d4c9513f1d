using Microsoft.Extensions.AI;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// The tools a brain may offer the model for one request, by strategy and by where the request comes from. Defined
/// here so the brain needs nothing from the tools (the tool registry implements it over the registered tools); a
/// brain with no tools is given a catalog that offers none.
/// </summary>
public interface IToolCatalog
{
    IReadOnlyList<AIFunction> GetToolsForStrategy(TradingStrategy strategy, DecisionSource source = DecisionSource.Api);
}
