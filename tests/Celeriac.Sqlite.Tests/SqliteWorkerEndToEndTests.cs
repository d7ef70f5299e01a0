using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Sqlite.Tests;

/// <summary>The worker runtime on the SQLite broker: enqueue through the client, run, ack, dead-letter poison.</summary>
public sealed class SqliteWorkerEndToEndTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_worker_runs_enqueued_tasks_and_dead_letters_poison_messages()
    {
        using var host = SqliteWorkerHost.Build<RecordTask>(_database.Path, concurrency: 4);
        var recorder = host.Services.GetRequiredService<Recorder>();
        var broker = host.Services.GetRequiredService<IBroker>();
        var admin = host.Services.GetRequiredService<IBrokerAdmin>();
        await host.StartAsync();

        var client = host.Services.GetRequiredService<ITaskClient>();
        for (var i = 0; i < 50; i++) await client.EnqueueAsync(new RecordArgs(i));
        await broker.SendAsync([new OutgoingMessage("default", "not an envelope"u8.ToArray())], CancellationToken.None);

        await Eventually.Until(async () => recorder.Numbers.Count >= 50
            && (await admin.ListDeadLettersAsync("default", 10, CancellationToken.None)).Count > 0
            && (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0,
            "every task ran and the bad message was dead-lettered", Patience);
        await host.StopAsync();

        Assert.Equal(Enumerable.Range(0, 50), recorder.Numbers.Order());
        var letter = Assert.Single(await admin.ListDeadLettersAsync("default", 10, CancellationToken.None));
        Assert.Equal("not an envelope"u8.ToArray(), letter.Body.ToArray());
        Assert.False(string.IsNullOrWhiteSpace(letter.Reason));
        Assert.Equal(default, await broker.GetDepthAsync("default", CancellationToken.None));
    }
}
