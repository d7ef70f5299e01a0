using Celeriac.Tasks;

namespace Celeriac.Sqlite.Tests;

[CeleriacTask("tests.record")]
public sealed class RecordTask(Recorder recorder) : ICeleriacTask<RecordArgs>
{
    public Task RunAsync(RecordArgs args, TaskContext context)
    {
        recorder.Numbers.Add(args.Number);
        return Task.CompletedTask;
    }
}
