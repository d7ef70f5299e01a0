using Celeriac.Hosting;
using Celeriac.Sqlite.TaskIndex;
using Celeriac.TaskIndex;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Sqlite.Tests;

/// <summary>
/// The SQLite index's split of the work: workers append a journal row per batch (in the index's own file beside the
/// store's), readers fold it into the searchable table, and an unread journal stays bounded.
/// </summary>
public sealed class SqliteTaskIndexJournalTests : IDisposable
{
    private readonly TempDatabase _database = new();

    private ServiceProvider Store() =>
        new ServiceCollection().AddLogging().AddCeleriac(c => c.UseSqliteStore(o => o.Path = _database.Path)).BuildServiceProvider();

    private long Count(string table) => Scalar(_database.Path + SqliteTaskIndex.FileSuffix,
        table == "journal events" ? "SELECT coalesce(sum(json_array_length(events)), 0) FROM store_task_journal" : $"SELECT count(*) FROM {table}");

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static TaskEvent Ended(string id, DateTimeOffset at) =>
        new(id, TaskState.Succeeded, at) { TaskName = "reports.build", Queue = "default", StartedAt = at.AddMilliseconds(-5), DurationMs = 5 };

    [Fact]
    public async Task A_worker_only_appends_and_the_first_reader_folds_the_journal_into_the_table()
    {
        await using var worker = Store();
        await using var reader = Store();
        var at = DateTimeOffset.UtcNow;
        var limits = new TaskIndexLimits(100, TimeSpan.FromDays(1));
        await worker.GetRequiredService<ITaskIndex>().RecordAsync([Ended("t-1", at), Ended("t-2", at.AddMilliseconds(1))], [], limits, CancellationToken.None);
        await worker.GetRequiredService<ITaskIndex>().RecordAsync([Ended("t-3", at.AddMilliseconds(2))], [], limits, CancellationToken.None);

        Assert.Equal(2, Count("store_task_journal"));
        Assert.Equal(0, Count("store_task_index"));
        // In a file of its own: the broker's and the other features' file holds none of it.
        Assert.Equal(0, Scalar(_database.Path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'store_task_%'"));

        var found = await reader.GetRequiredService<ITaskIndex>().SearchAsync(new TaskQuery(), CancellationToken.None);

        Assert.Equal(["t-3", "t-2", "t-1"], found.Select(r => r.TaskId));
        Assert.All(found, r => Assert.Equal(TaskState.Succeeded, r.State));
        Assert.Equal(0, Count("store_task_journal"));
        Assert.Equal(3, Count("store_task_index"));
    }

    [Fact]
    public async Task An_unread_journal_keeps_three_events_per_indexed_task_and_drops_the_oldest()
    {
        await using var worker = Store();
        var at = DateTimeOffset.UtcNow;
        var index = worker.GetRequiredService<ITaskIndex>();
        var limits = new TaskIndexLimits(2, TimeSpan.FromDays(1));
        for (var i = 0; i < 10; i++)
            await index.RecordAsync([Ended($"t-{i}", at.AddMilliseconds(i))], [], limits, CancellationToken.None);

        Assert.Equal(2 * SqliteTaskIndex.JournalEventsPerTask, Count("journal events"));
        var found = await index.SearchAsync(new TaskQuery(), CancellationToken.None);
        Assert.Equal(["t-9", "t-8"], found.Select(r => r.TaskId));
    }

    [Fact]
    public async Task A_big_batch_is_split_into_rows_small_enough_to_stay_off_the_large_object_heap()
    {
        await using var store = Store();
        var index = store.GetRequiredService<ITaskIndex>();
        var at = DateTimeOffset.UtcNow;
        var args = "{\"text\":\"" + new string('x', 200) + "\"}";
        var batch = Enumerable.Range(0, 2_000).Select(i => Ended($"t-{i}", at.AddMilliseconds(i)) with { Args = args }).ToList();

        await index.RecordAsync(batch, [], new TaskIndexLimits(5_000, TimeSpan.FromDays(1)), CancellationToken.None);

        Assert.True(Count("store_task_journal") > 1, "one batch, several rows");
        // 85,000 bytes is where the runtime puts an array on the large object heap.
        Assert.True(Scalar(_database.Path + SqliteTaskIndex.FileSuffix, "SELECT max(length(events)) FROM store_task_journal") < 85_000);
        Assert.Equal(2_000, Count("journal events"));
        var newest = await index.SearchAsync(new TaskQuery(), CancellationToken.None);
        Assert.Equal("t-1999", newest[0].TaskId);
        Assert.Equal(2_000, Count("store_task_index"));
        Assert.Equal(args, (await index.GetAsync("t-0", CancellationToken.None))!.Args);
    }

    [Fact]
    public async Task Every_field_of_an_event_survives_the_journal()
    {
        await using var store = Store();
        var index = store.GetRequiredService<ITaskIndex>();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var ended = new TaskEvent("t-all", TaskState.Failed, at)
        {
            TaskName = "reports.build", Queue = "reports", Attempt = 2, Worker = "host:1:abc", EnqueuedAt = at.AddSeconds(-3),
            StartedAt = at.AddSeconds(-2), FinishedAt = at.AddMilliseconds(-1), DurationMs = 1999.5, ExceptionType = "System.IO.IOException",
            ExceptionMessage = "disk \"full\"\nline two", Args = "{\"n\":\"é\"}", TraceId = "0123456789abcdef0123456789abcdef",
            Progress = 0.75, ProgressMessage = "page 3 of 4",
        };
        var masked = new TaskEvent("t-masked", TaskState.Queued, at) { TaskName = "secrets.rotate", ArgsMasked = true, HandedBack = true, Reset = true };

        await index.RecordAsync([ended, masked], [], new TaskIndexLimits(100, TimeSpan.FromDays(1)), CancellationToken.None);

        Assert.Equal(new TaskRecord("t-all").Apply(ended), await index.GetAsync("t-all", CancellationToken.None));
        Assert.Equal(new TaskRecord("t-masked").Apply(masked), await index.GetAsync("t-masked", CancellationToken.None));
    }

    public void Dispose() => _database.Dispose();
}
