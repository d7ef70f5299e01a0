namespace Celeriac.FanOut;

/// <summary>Pages from the application's own cursor.</summary>
internal sealed class CursorSource<TItem>(Func<string?, int, CancellationToken, ValueTask<FanOutPage<TItem>>> read) : FanOutSource<TItem>
{
    public override ValueTask<FanOutPage<TItem>> ReadAsync(string? position, int max, CancellationToken cancellationToken) => read(position, max, cancellationToken);
}
