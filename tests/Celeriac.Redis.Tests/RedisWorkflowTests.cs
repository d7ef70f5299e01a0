using Celeriac.Brokers;
using Celeriac.Hosting;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Redis.Tests;

/// <summary>Workflows through two real workers on the Redis broker and store.</summary>
public sealed class RedisWorkflowTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IHost BuildHost(RedisBrokerOptions options, Timeline timeline)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(timeline);
        builder.Services.AddCeleriac(celeriac => celeriac
            .UseRedisBroker(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.KeyPrefix = options.KeyPrefix;
            })
            .AddTask<EchoTask>(o => o.MaxRetries = 0)
            .AddTask<ConcatTask>()
            .AddWorker(w =>
            {
                w.Concurrency = 4;
                w.ReceiveWait = TimeSpan.FromMilliseconds(200);
                w.ShutdownGrace = TimeSpan.FromSeconds(5);
            }));
        return builder.Build();
    }

    [Fact]
    public async Task A_chord_of_chains_run_by_two_workers_calls_back_once_with_the_results_in_order()
    {
        var options = redis.NewOptions();
        var timeline = new Timeline();
        using var first = BuildHost(options, timeline);
        using var second = BuildHost(options, timeline);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        try
        {
            const int members = 30;
            var handle = await first.Services.GetRequiredService<WorkflowClient>().StartAsync(Workflow.Chord(
                Enumerable.Range(0, members).Select(i => Workflow.Chain(Sig.Of(new EchoArgs($"m{i}")), Sig.Of<EchoTask>())),
                Sig.Of<ConcatTask>()));

            var result = await handle.GetResultAsync<EchoResult>(Patience);
            Assert.Equal(string.Join(",", Enumerable.Range(0, members).Select(i => $"M{i}")), result!.Text);
            var broker = first.Services.GetRequiredService<IBroker>();
            await Eventually.Until(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, "every message was settled");
            Assert.Single(timeline.Runs, r => r.Name == "concat");
        }
        finally
        {
            await Task.WhenAll(first.StopAsync(), second.StopAsync());
        }
    }
}
