using Celeriac.Tasks;

namespace Celeriac.Sqlite.Tests;

/// <summary>A chord callback: adds up the squares of a group.</summary>
[CeleriacTask("tests.sum-squares")]
public sealed class SumSquaresTask(Recorder recorder) : ICeleriacTask<int[], int>
{
    public Task<int> RunAsync(int[] args, TaskContext context)
    {
        var total = args.Sum();
        recorder.Totals.Add(total);
        return Task.FromResult(total);
    }
}
