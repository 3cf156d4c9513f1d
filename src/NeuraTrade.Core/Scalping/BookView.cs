using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// What a scan reads of the book once, up front, and shares across its symbols: the scalping state, the open positions
/// and the trades closed on <see cref="Day"/> and the day before (the risk context's input, and what tells a repeated
/// decision). The <see cref="TradeDesk"/> gates the scan's entries against it instead of reading the same rows again for
/// every entry, which made a scan's storage round trips grow with its symbols; what an entry opens (or books as dust) is
/// added here, so the scan's next entry counts it. The view never admits an entry by itself: the exclusive admission
/// (<see cref="Risk.IEntryAdmission"/>) still reads the open positions fresh for every entry, under its conditional write,
/// so positions across processes stay bounded whatever this view missed. Not thread-safe: a scan enters one symbol at a
/// time (the desk's entry lock).
/// </summary>
public sealed class BookView
{
    private readonly List<Position> _open;
    private readonly List<Position> _closed;

    public BookView(ScalpingState state, IEnumerable<Position> open, IEnumerable<Position> closed, DateOnly day)
    {
        State = state;
        _open = [.. open];
        _closed = [.. closed];
        Day = day;
    }

    /// <summary>The state as last read (or written) by the scan.</summary>
    public ScalpingState State { get; private set; }

    /// <summary>The open positions as read, with the scan's own changes (moved stops, entries opened).</summary>
    public List<Position> Open => _open;

    /// <summary>The trades closed on <see cref="Day"/> and the day before, as read, with the dust the scan's entries booked.</summary>
    public IReadOnlyList<Position> Closed => _closed;

    /// <summary>The UTC day the closed trades were read for (the view's "today").</summary>
    public DateOnly Day { get; }

    /// <summary>A fresher state (read again before the entries: a kill switch thrown while the brain thought is seen).</summary>
    public void Refresh(ScalpingState state) => State = state;

    /// <summary>An entry of this scan opened <paramref name="position"/>: the next entry counts it.</summary>
    public void Opened(Position position) => _open.Add(position);

    /// <summary>An entry of this scan filled too little to sell and was booked closed as dust: it counts in the day's trades.</summary>
    public void Booked(Position closed) => _closed.Add(closed);

    /// <summary>Whether <paramref name="decisionId"/> already opened a position that is open or closed in the view.</summary>
    public bool Executed(string decisionId) =>
        _open.Exists(p => p.DecisionId == decisionId) || _closed.Exists(p => p.DecisionId == decisionId);
}
