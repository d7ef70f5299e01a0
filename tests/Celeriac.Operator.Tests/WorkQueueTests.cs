using Celeriac.Operator.Controller;

namespace Celeriac.Operator.Tests;

public sealed class WorkQueueTests
{
    private static WorkQueue<string> NewQueue() => new(TimeProvider.System, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(80));

    [Fact]
    public async Task A_key_added_many_times_is_queued_once()
    {
        var queue = NewQueue();
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("a", await queue.TakeAsync(timeout.Token));
        Assert.Equal("b", await queue.TakeAsync(timeout.Token));
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.TakeAsync(shortWait.Token));
    }

    [Fact]
    public async Task A_key_added_while_processing_is_handed_out_again_only_after_done()
    {
        var queue = NewQueue();
        queue.Add("a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var key = await queue.TakeAsync(timeout.Token);
        queue.Add("a");
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.TakeAsync(shortWait.Token));
        queue.Done(key);
        Assert.Equal("a", await queue.TakeAsync(timeout.Token));
    }

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_maximum_and_forget_resets_it()
    {
        var queue = NewQueue();
        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.AddRateLimited("a", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(20), queue.AddRateLimited("a", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(40), queue.AddRateLimited("a", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(80), queue.AddRateLimited("a", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(80), queue.AddRateLimited("a", CancellationToken.None));
        queue.Forget("a");
        Assert.Equal(TimeSpan.FromMilliseconds(10), queue.AddRateLimited("a", CancellationToken.None));
    }
}
