using System.Globalization;

namespace Celeriac.Redis;

/// <summary>A Redis stream entry id, <c>milliseconds-sequence</c>, ordered as Redis orders them.</summary>
internal readonly record struct StreamId(ulong Milliseconds, ulong Sequence) : IComparable<StreamId>
{
    public static bool TryParse(string text, out StreamId id)
    {
        id = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            return false;
        id = new StreamId(milliseconds, sequence);
        return true;
    }

    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => FormattableString.Invariant($"{Milliseconds}-{Sequence}");
}
