using System.Globalization;

namespace Celeriac.FanOut;

/// <summary>An integer range; the position is the next integer.</summary>
internal sealed class RangeSource : FanOutSource<long>
{
    private readonly long _from;
    private readonly long _to;

    public RangeSource(long from, long to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        _from = from;
        _to = to;
    }

    public override ValueTask<FanOutPage<long>> ReadAsync(string? position, int max, CancellationToken cancellationToken)
    {
        var start = position is null ? _from : long.Parse(position, CultureInfo.InvariantCulture);
        var end = Math.Min(_to, start + max);
        var items = new long[Math.Max(0, end - start)];
        for (var i = 0; i < items.Length; i++) items[i] = start + i;
        var next = end < _to ? end.ToString(CultureInfo.InvariantCulture) : null;
        return ValueTask.FromResult(new FanOutPage<long>(items, next));
    }
}
