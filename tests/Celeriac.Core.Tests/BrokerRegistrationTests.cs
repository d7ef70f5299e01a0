using Celeriac.Brokers;
using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Tests;

public sealed class BrokerRegistrationTests
{
    private sealed class SendOnlyBroker : IBroker
    {
        public ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<BrokerMessage>>([]);
        public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) => ValueTask.FromResult(default(QueueDepth));
    }

    [Fact]
    public void The_last_broker_chosen_is_also_the_admin()
    {
        using var services = new ServiceCollection().AddLogging().AddCeleriac(c => c.UseBroker(_ => new SendOnlyBroker()).UseInMemoryBroker()).BuildServiceProvider();
        Assert.Same(services.GetRequiredService<IBroker>(), services.GetRequiredService<IBrokerAdmin>());
    }

    [Fact]
    public void A_broker_without_administration_does_not_leave_an_earlier_admin_behind()
    {
        using var services = new ServiceCollection().AddLogging().AddCeleriac(c => c.UseInMemoryBroker().UseBroker(_ => new SendOnlyBroker())).BuildServiceProvider();
        Assert.IsType<SendOnlyBroker>(services.GetRequiredService<IBroker>());
        var error = Assert.Throws<NotSupportedException>(() => services.GetRequiredService<IBrokerAdmin>());
        Assert.Contains("SendOnlyBroker has no administration API", error.Message);
    }
}
