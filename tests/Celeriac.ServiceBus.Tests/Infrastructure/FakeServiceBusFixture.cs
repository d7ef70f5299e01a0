using Celeriac.ServiceBus.Fake;

namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>One fake Service Bus namespace per test class; tests keep apart by queue prefix.</summary>
public sealed class FakeServiceBusFixture : IAsyncLifetime
{
    private FakeServiceBus? _fake;

    public FakeServiceBus Fake => _fake ?? throw new InvalidOperationException("not started");

    public string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10] + "-";

    public async Task InitializeAsync() => _fake = await FakeServiceBus.StartAsync();

    public async Task DisposeAsync()
    {
        if (_fake is not null) await _fake.DisposeAsync();
    }
}
