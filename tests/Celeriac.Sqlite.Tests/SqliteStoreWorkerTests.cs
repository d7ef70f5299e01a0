using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Revocation;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Sqlite.Tests;

/// <summary>The embedded default has the store features too: results and revocation through a worker on the SQLite file.</summary>
public sealed class SqliteStoreWorkerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Results_and_revocations_work_on_the_embedded_broker()
    {
        using var host = SqliteWorkerHost.Build<SquareTask>(_database.Path, concurrency: 2);
        var client = host.Services.GetRequiredService<ITaskClient>();
        var control = host.Services.GetRequiredService<TaskControl>();
        var revoked = await client.EnqueueAsync(new SquareArgs(3));
        await control.RevokeAsync(revoked);
        var kept = await client.EnqueueAsync(new SquareArgs(7));

        await host.StartAsync();
        try
        {
            Assert.Equal(49, await control.Handle(kept).GetResultAsync<int>(Patience));
            var broker = host.Services.GetRequiredService<Celeriac.Brokers.IBroker>();
            await Eventually.Until(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, "the queue is empty", Patience);
            Assert.Equal(default, await broker.GetDepthAsync("default", CancellationToken.None));
            Assert.Equal([7], host.Services.GetRequiredService<Recorder>().Numbers);
            await Assert.ThrowsAsync<TaskRevokedException>(() => control.Handle(revoked).GetResultAsync<int>(Patience));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
