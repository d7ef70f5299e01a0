namespace Celeriac.FanOut;

/// <summary>One chunk of a source: its items, and the position after them (null when the source is exhausted).</summary>
public sealed record FanOutPage<TItem>(IReadOnlyList<TItem> Items, string? Next);
