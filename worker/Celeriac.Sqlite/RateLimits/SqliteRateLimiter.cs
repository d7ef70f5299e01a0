using Celeriac.RateLimits;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.RateLimits;

/// <summary>Rate limits in the SQLite store: the next free slot per limit, and a reserved slot per ticket.</summary>
public sealed class SqliteRateLimiter(SqliteStoreDatabase database) : IRateLimiter
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_rate_limits (key TEXT PRIMARY KEY, next_slot INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_rate_tickets (ticket TEXT PRIMARY KEY, slot INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
    ];

    public ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken)
    {
        var id = key + "\n" + ticket;
        var wait = database.Write(Tables, s =>
        {
            var now = database.NowMillis * 1000;
            var find = s.Command("SELECT slot FROM store_rate_tickets WHERE ticket = $t", "$t");
            find.Parameters[0].Value = id;
            long slot;
            if (find.ExecuteScalar() is long reserved) slot = reserved;
            else
            {
                var next = s.Command("SELECT next_slot FROM store_rate_limits WHERE key = $k", "$k");
                next.Parameters[0].Value = key;
                slot = next.ExecuteScalar() is long n && n > now ? n : now;
                var set = s.Command("INSERT INTO store_rate_limits (key, next_slot) VALUES ($k, $n) ON CONFLICT (key) DO UPDATE SET next_slot = excluded.next_slot", "$k", "$n");
                set.Parameters[0].Value = key;
                set.Parameters[1].Value = slot + limit.Interval.Ticks / 10;
                set.ExecuteNonQuery();
            }
            var micros = slot - now;
            if (micros <= consumeWithin.Ticks / 10)
            {
                var delete = s.Command("DELETE FROM store_rate_tickets WHERE ticket = $t OR expires < $now", "$t", "$now");
                delete.Parameters[0].Value = id;
                delete.Parameters[1].Value = now;
                delete.ExecuteNonQuery();
            }
            else
            {
                var keep = s.Command("INSERT INTO store_rate_tickets (ticket, slot, expires) VALUES ($t, $s, $e) ON CONFLICT (ticket) DO UPDATE SET slot = excluded.slot, expires = excluded.expires", "$t", "$s", "$e");
                keep.Parameters[0].Value = id;
                keep.Parameters[1].Value = slot;
                keep.Parameters[2].Value = slot + 60_000_000;
                keep.ExecuteNonQuery();
            }
            return micros;
        });
        return ValueTask.FromResult(TimeSpan.FromTicks(wait * 10));
    }
}
