using Amazon.SQS;
using Celeriac.Hosting;
using Celeriac.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Testing.Sqs;

/// <summary>
/// Loaded by worker processes in tests (<c>--tasks ...,Celeriac.Testing.Sqs.dll</c>): registers the emulator's
/// <see cref="IAmazonSQS"/>, which the SQS broker takes from DI as it takes an app's own client.
/// </summary>
public sealed class EmulatorSqsModule : ICeleriacModule
{
    public void Configure(CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Register(builder.Services);
    }

    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddSingleton<IAmazonSQS>(sp => EmulatorSqs.Client(sp.GetRequiredService<IOptions<SqsBrokerOptions>>().Value));
}
