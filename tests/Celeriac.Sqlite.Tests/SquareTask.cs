using Celeriac.Tasks;

namespace Celeriac.Sqlite.Tests;

[CeleriacTask("tests.square")]
public sealed class SquareTask(Recorder recorder) : ICeleriacTask<SquareArgs, int>
{
    public Task<int> RunAsync(SquareArgs args, TaskContext context)
    {
        recorder.Numbers.Add(args.N);
        return Task.FromResult(args.N * args.N);
    }
}
