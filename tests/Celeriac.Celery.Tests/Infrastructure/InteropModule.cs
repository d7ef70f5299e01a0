using Amazon.SQS;
using Celeriac.Hosting;
using Celeriac.Sqs;
using Celeriac.Testing.Sqs;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// Loaded by celeriac-worker processes in these tests (<c>--tasks</c>): registers the interop tasks and, when the Celery
/// queues are on the SQS emulator (<c>Celeriac:Celery:Sqs:Endpoint</c>), the emulator's client with its known differences
/// corrected, which the kombu SQS transport takes from DI as it takes an app's own client.
/// </summary>
public sealed class InteropModule : ICeleriacModule
{
    public void Configure(CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddTasksFromAssembly(typeof(InteropModule).Assembly);
        var settings = builder.Configuration;
        if (settings?["Celery:Sqs:Endpoint"] is { Length: > 0 } endpoint)
            builder.Services.AddSingleton<IAmazonSQS>(_ => EmulatorSqs.Client(new SqsBrokerOptions
            {
                QueueUrlPrefix = settings["Celery:Sqs:QueueUrlPrefix"],
                Endpoint = endpoint,
                AccessKeyId = "test",
                SecretAccessKey = "test",
            }));
    }
}
