using System.Globalization;

namespace Celeriac.FanOut;

/// <summary>Times a fixed step apart; the position is the next time (round-trip format).</summary>
internal sealed class DateSource : FanOutSource<DateTimeOffset>
{
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _to;
    private readonly TimeSpan _step;

    public DateSource(DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        _from = from;
        _to = to;
        _step = step;
    }

    public override ValueTask<FanOutPage<DateTimeOffset>> ReadAsync(string? position, int max, CancellationToken cancellationToken)
    {
        var at = position is null ? _from : DateTimeOffset.Parse(position, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var items = new List<DateTimeOffset>(max);
        while (items.Count < max && at < _to)
        {
            items.Add(at);
            at += _step;
        }
        var next = at < _to ? at.ToString("O", CultureInfo.InvariantCulture) : null;
        return ValueTask.FromResult(new FanOutPage<DateTimeOffset>(items, next));
    }
}
