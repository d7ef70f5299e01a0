using Amazon.SQS;
using Celeriac.Brokers;
using Celeriac.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class SqsCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses Amazon SQS, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>. Options come from
    /// <c>Celeriac:Broker:Sqs</c>, then from <paramref name="configure"/>. The broker calls the <see cref="IAmazonSQS"/>
    /// the app registered (<c>services.AddAWSService&lt;IAmazonSQS&gt;()</c>), else one built from these options with the
    /// SDK's default credential chain (<see cref="SqsClientFactory"/>).
    /// </summary>
    public static CeleriacBuilder UseSqsBroker(this CeleriacBuilder builder, Action<SqsBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<SqsBrokerOptions, SqsBrokerOptionsValidator>(configure);

        builder.Services.TryAddSingleton<IAmazonSQS>(sp => SqsClientFactory.Create(sp.GetRequiredService<IOptions<SqsBrokerOptions>>().Value));
        builder.Services.TryAddSingleton(sp => new SqsBroker(
            sp.GetRequiredService<IAmazonSQS>(),
            sp.GetRequiredService<IOptions<SqsBrokerOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SqsBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<SqsBroker>());
        return builder;
    }
}
