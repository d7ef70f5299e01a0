namespace Celeriac.FanOut;

/// <summary>
/// Where a fan-out's items come from, read a chunk at a time from a position (a string the source chooses, saved as the
/// checkpoint), so that nothing but one chunk is ever in memory and a restart resumes from the last saved position.
/// </summary>
public abstract class FanOutSource<TItem>
{
    /// <summary>Up to <paramref name="max"/> items from <paramref name="position"/> (null: the beginning).</summary>
    public abstract ValueTask<FanOutPage<TItem>> ReadAsync(string? position, int max, CancellationToken cancellationToken);
}

/// <summary>The built-in sources.</summary>
public static class FanOutSource
{
    /// <summary>The integers from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public static FanOutSource<long> Range(long from, long to) => new RangeSource(from, to);

    /// <summary>The times from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), <paramref name="step"/> apart.</summary>
    public static FanOutSource<DateTimeOffset> Dates(DateTimeOffset from, DateTimeOffset to, TimeSpan step) => new DateSource(from, to, step);

    /// <summary>
    /// Pages from a cursor the application keeps (a database keyset, an API's page token): <paramref name="read"/> gets
    /// the cursor (null at first) and a page size, and returns the page with the next cursor (null when it was the last).
    /// </summary>
    public static FanOutSource<TItem> Cursor<TItem>(Func<string?, int, CancellationToken, ValueTask<FanOutPage<TItem>>> read) => new CursorSource<TItem>(read);
}
