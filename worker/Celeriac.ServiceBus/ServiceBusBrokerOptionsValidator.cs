using Celeriac.Hosting;

namespace Celeriac.ServiceBus;

/// <summary>The rules of <c>Celeriac:Broker:ServiceBus</c>.</summary>
public sealed class ServiceBusBrokerOptionsValidator() : OptionsSectionValidator<ServiceBusBrokerOptions>("Broker:ServiceBus")
{
    internal static ServiceBusBrokerOptionsValidator Instance { get; } = new();

    protected override void Check(ServiceBusBrokerOptions options, OptionsCheck check)
    {
        options.Check(check);
        if (options.LockDuration <= TimeSpan.Zero || options.LockDuration > TimeSpan.FromMinutes(5))
            check.Fail(nameof(options.LockDuration), $"must be more than 0 and at most 00:05:00, Service Bus's longest lock (was {options.LockDuration}).");
        check.Positive(options.MaxDeliveryCount, nameof(options.MaxDeliveryCount));
        if (options.ReadyWait <= TimeSpan.Zero || options.ReadyWait > TimeSpan.FromSeconds(10))
            check.Fail(nameof(options.ReadyWait), $"must be more than 0 and at most 00:00:10 (was {options.ReadyWait}).");
        check.NotNegative(options.MaxRetries, nameof(options.MaxRetries));
        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) && options.FullyQualifiedNamespace.Contains("://", StringComparison.Ordinal))
            check.Fail(nameof(options.FullyQualifiedNamespace), $"is a host name such as ns.servicebus.windows.net, not a URL (was '{options.FullyQualifiedNamespace}').");
    }
}
