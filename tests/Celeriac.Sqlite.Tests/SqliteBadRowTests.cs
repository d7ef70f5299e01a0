using System.Text;
using Celeriac.Brokers;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite.Tests;

/// <summary>
/// The receive against rows written into the broker file with raw SQL, one receive at a time: a row that cannot be
/// delivered is dead-lettered in the very transaction that leases the rows around it, and a row that would never be
/// due is dead-lettered once the queue is idle.
/// </summary>
public sealed class SqliteBadRowTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly TempDatabase _database = new();
    private readonly SqliteBroker _broker;

    public SqliteBadRowTests() => _broker = _database.Open();

    public void Dispose()
    {
        _broker.Dispose();
        SqliteConnection.ClearAllPools();
        _database.Dispose();
    }

    private void Insert(object body, object visibleAt, object deliveries)
    {
        using var connection = new SqliteConnection($"Data Source={_database.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO messages (queue, body, visible_at, deliveries) VALUES ('q', $body, $visible_at, $deliveries)";
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$visible_at", visibleAt);
        command.Parameters.AddWithValue("$deliveries", deliveries);
        command.ExecuteNonQuery();
    }

    private static OutgoingMessage Good(string body) => new("q", Encoding.UTF8.GetBytes(body));

    private static IEnumerable<string> Texts(IEnumerable<BrokerMessage> messages) => messages.Select(m => Encoding.UTF8.GetString(m.Body.Span));

    [Fact]
    public async Task Rows_that_cannot_be_delivered_are_dead_lettered_in_the_receive_that_delivers_the_others()
    {
        await _broker.SendAsync([Good("one")], CancellationToken.None);
        // Visible now, so that they sort between the two good rows (the receive takes rows by visible_at, then id).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Insert(42L, now, 0L);
        Insert("as text", now, long.MaxValue);
        Insert(Encoding.UTF8.GetBytes("word count"), now, "many");
        Insert(1.5, now, 0L);
        await _broker.SendAsync([Good("two")], CancellationToken.None);

        var received = await _broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(["one", "as text", "word count", "two"], Texts(received));
        Assert.Equal([1, int.MaxValue, 1, 1], received.Select(m => m.DeliveryCount));
        var letters = await _broker.ListDeadLettersAsync("q", 10, CancellationToken.None);
        Assert.Equal(["the message row's body is INTEGER, not BLOB or TEXT", "the message row's body is REAL, not BLOB or TEXT"], letters.Select(l => l.Reason));
        Assert.Equal(["42", "1.5"], Texts(letters.Select(l => new BrokerMessage { Queue = l.Queue, Body = l.Body, Receipt = "" })));
        Assert.Equal(new QueueDepth(0, 4, 0), await _broker.GetDepthAsync("q", CancellationToken.None));
        await _broker.AckAsync(received, CancellationToken.None);
        Assert.Equal(default, await _broker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task Rows_that_would_never_be_due_are_dead_lettered_once_the_queue_is_idle()
    {
        var later = DateTimeOffset.UtcNow.AddHours(1);
        await _broker.SendAsync([new OutgoingMessage("q", Encoding.UTF8.GetBytes("countdown"), later)], CancellationToken.None);
        Insert(Encoding.UTF8.GetBytes("soon"), "soon", 0L);
        Insert(Encoding.UTF8.GetBytes("blob"), new byte[] { 1 }, 0L);
        Insert(Encoding.UTF8.GetBytes("max"), long.MaxValue, 0L);
        Insert(Encoding.UTF8.GetBytes("real"), 1.5, 0L);
        Assert.Equal(new QueueDepth(1, 0, 4), await _broker.GetDepthAsync("q", CancellationToken.None));

        Assert.Equal(["real"], Texts(await _broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None)));
        Assert.Empty(await _broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None));

        var letters = await _broker.ListDeadLettersAsync("q", 10, CancellationToken.None);
        Assert.Equal(3, letters.Count);
        Assert.Contains(letters, l => l.Reason.Contains("visible_at is TEXT ('soon')", StringComparison.Ordinal) && Encoding.UTF8.GetString(l.Body.Span) == "soon");
        Assert.Contains(letters, l => l.Reason.Contains("visible_at is a BLOB", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Reason.Contains($"visible_at ({long.MaxValue}) is after the year 9999", StringComparison.Ordinal));
        // The real countdown stays, and is not mistaken for one of them.
        Assert.Equal(new QueueDepth(0, 1, 1), await _broker.GetDepthAsync("q", CancellationToken.None));
    }
}
