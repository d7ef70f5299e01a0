using Celeriac.Brokers;
using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>
/// The broker contract on the SQS emulator. SQS counts visibility and delays in whole seconds, so the short lease is
/// one second; a purge lands within 60 s, as SQS documents (the emulator takes exactly that).
/// </summary>
public sealed class SqsBrokerContractTests(SqsEmulator emulator) : BrokerContractTests, IClassFixture<SqsEmulator>
{
    private readonly string _prefix = emulator.NewPrefix();

    protected override IBroker CreateBroker() => SqsTestBrokers.Broker(SqsTestBrokers.Options(emulator, _prefix));

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(1);

    protected override TimeSpan PurgeTakesUpTo => TimeSpan.FromSeconds(60);

    // SQS has no oldest-message age without CloudWatch (SqsBroker.GetOldestReadyAgeAsync).
    protected override bool ReportsOldestReadyAge => false;

    protected override bool PurgeDeletesRunningMessages => true;
}
