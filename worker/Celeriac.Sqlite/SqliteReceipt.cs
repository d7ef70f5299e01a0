using System.Globalization;
using Celeriac.Brokers;

namespace Celeriac.Sqlite;

/// <summary>One delivery of one row: the row id and the lease token that this delivery set.</summary>
internal readonly record struct SqliteReceipt(long Id, long Token)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Id}:{Token}");

    /// <summary>Reads the receipt from the broker state, or parses it, so a message received by another instance on the same file works too.</summary>
    public static bool TryGet(BrokerMessage message, out SqliteReceipt receipt)
    {
        if (message.BrokerState is SqliteReceipt state)
        {
            receipt = state;
            return true;
        }
        var text = message.Receipt.AsSpan();
        var colon = text.IndexOf(':');
        if (colon > 0
            && long.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && long.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var token))
        {
            receipt = new SqliteReceipt(id, token);
            return true;
        }
        receipt = default;
        return false;
    }
}
