using Celeriac.Worker;

namespace Celeriac.Tests;

public sealed class QueueOrderTests
{
    private static string Render(IReadOnlyList<string> order) => string.Join(",", order);

    [Fact]
    public void Highest_priority_first_and_ties_keep_declaration_order()
    {
        var order = new QueueOrder([("bulk", 1), ("urgent", 10), ("a", 5), ("b", 5)], guardEvery: 0);
        Assert.Equal(["urgent", "a", "b", "bulk"], order.Queues);
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("urgent,a,b,bulk", Render(order.Next())));
    }

    [Fact]
    public void Every_nth_round_starts_with_a_lower_queue_in_turn()
    {
        var order = new QueueOrder([("high", 10), ("mid", 5), ("low", 1)], guardEvery: 3);
        var rounds = Enumerable.Range(1, 12).Select(_ => Render(order.Next())).ToList();

        Assert.Equal(
        [
            "high,mid,low", "high,mid,low", "mid,high,low",
            "high,mid,low", "high,mid,low", "low,high,mid",
            "high,mid,low", "high,mid,low", "mid,high,low",
            "high,mid,low", "high,mid,low", "low,high,mid",
        ], rounds);
    }

    [Fact]
    public void A_single_queue_never_rotates()
    {
        var order = new QueueOrder([("only", 1)], guardEvery: 1);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(["only"], order.Next()));
    }

    [Fact]
    public void No_queue_is_an_error() =>
        Assert.Throws<ArgumentException>(() => new QueueOrder([], guardEvery: 8));

    [Fact]
    public void Concurrent_callers_see_the_guard_at_the_same_rate()
    {
        var order = new QueueOrder([("high", 10), ("low", 1)], guardEvery: 4);
        var lowFirst = 0;
        Parallel.For(0, 4000, _ =>
        {
            if (order.Next()[0] == "low") Interlocked.Increment(ref lowFirst);
        });
        Assert.Equal(1000, lowFirst);
    }
}
