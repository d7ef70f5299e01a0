using Celeriac.Retries;
using Celeriac.Tasks;
using Celeriac.TimeLimits;

namespace Celeriac.Tests;

/// <summary>Pure policy: backoff maths and which exceptions are retried.</summary>
public sealed class RetryPolicyTests
{
    private static TaskOptions Backoff(double seconds, double maxSeconds, bool jitter) => new()
    {
        RetryBackoff = TimeSpan.FromSeconds(seconds),
        RetryBackoffMax = TimeSpan.FromSeconds(maxSeconds),
        RetryJitter = jitter,
    };

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(5, 32)]
    public void Backoff_is_exponential(int attempt, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryBackoff.Compute(attempt, Backoff(1, 3600, jitter: false), new Random(1)));

    [Theory]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void Backoff_is_capped(int attempt) =>
        Assert.Equal(TimeSpan.FromSeconds(100), RetryBackoff.Compute(attempt, Backoff(1, 100, jitter: false), new Random(1)));

    [Fact]
    public void Jitter_draws_from_half_to_full_delay()
    {
        var options = Backoff(1, 3600, jitter: true);
        var random = new Random(42);
        var delays = Enumerable.Range(0, 2000).Select(_ => RetryBackoff.Compute(3, options, random)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)));
        // Spread over the whole range, not stuck at one end.
        Assert.Contains(delays, d => d < TimeSpan.FromSeconds(4.5));
        Assert.Contains(delays, d => d > TimeSpan.FromSeconds(7.5));
    }

    [Fact]
    public void Jitter_stays_within_the_cap()
    {
        var options = Backoff(1, 10, jitter: true);
        var random = new Random(7);
        Assert.All(Enumerable.Range(0, 500), _ => Assert.InRange(RetryBackoff.Compute(20, options, random), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Everything_is_retried_by_default_except_rejections_and_time_limits()
    {
        var options = new TaskOptions();
        Assert.True(options.ShouldRetry(new InvalidOperationException()));
        Assert.True(options.ShouldRetry(new IOException()));
        Assert.False(options.ShouldRetry(new RejectTaskException("no")));
        Assert.False(options.ShouldRetry(new SoftTimeLimitExceededException(TimeSpan.FromSeconds(1))));
        Assert.False(options.ShouldRetry(new HardTimeLimitExceededException(TimeSpan.FromSeconds(1))));

        options.RetryOnTimeLimit = true;
        Assert.True(options.ShouldRetry(new SoftTimeLimitExceededException(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void Do_not_retry_covers_subclasses()
    {
        var options = new TaskOptions().DoNotRetryOn<ArgumentException>();
        Assert.False(options.ShouldRetry(new ArgumentException()));
        Assert.False(options.ShouldRetry(new ArgumentNullException()));
        Assert.True(options.ShouldRetry(new InvalidOperationException()));
    }

    [Fact]
    public void Retry_only_on_listed_exceptions_and_do_not_retry_wins()
    {
        var options = new TaskOptions().RetryOn<IOException>().DoNotRetryOn<FileNotFoundException>();
        Assert.True(options.ShouldRetry(new IOException()));
        Assert.True(options.ShouldRetry(new DirectoryNotFoundException()));
        Assert.False(options.ShouldRetry(new FileNotFoundException()));
        Assert.False(options.ShouldRetry(new InvalidOperationException()));
    }
}
