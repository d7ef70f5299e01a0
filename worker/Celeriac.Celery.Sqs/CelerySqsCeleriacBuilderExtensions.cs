using Amazon.SQS;
using Celeriac.Celery.Sqs;
using Celeriac.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class CelerySqsCeleriacBuilderExtensions
{
    /// <summary>
    /// Carries the Celery queues on kombu's SQS transport (<see cref="KombuSqsTransport"/>), with options from
    /// <c>Celeriac:Celery:Sqs</c> (the URL base defaulting to the SQS broker's), then from <paramref name="configure"/>. It
    /// calls the <see cref="IAmazonSQS"/> the app (or the SQS broker) registered, else one built from these options with
    /// the SDK's default credential chain. See <see cref="CeleryCeleriacBuilderExtensions.UseCelery"/>.
    /// </summary>
    public static CeleriacBuilder UseCelerySqsTransport(this CeleriacBuilder builder, Action<CelerySqsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var brokerPrefix = builder.Configuration?["Broker:Sqs:QueueUrlPrefix"];
        builder.AddCeleriacOptions<CelerySqsOptions, CelerySqsOptionsValidator>(options =>
        {
            if (string.IsNullOrWhiteSpace(options.QueueUrlPrefix) && brokerPrefix?.LastIndexOf('/') is > 0 and var slash)
                options.QueueUrlPrefix = brokerPrefix[..(slash + 1)];
            configure?.Invoke(options);
        });
        builder.Services.TryAddSingleton<IAmazonSQS>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CelerySqsOptions>>().Value;
            return SqsClientFactory.Create(new SqsBrokerOptions { QueueUrlPrefix = options.QueueUrlPrefix, Region = options.Region, Endpoint = options.Endpoint });
        });
        builder.Services.TryAddSingleton(sp => new KombuSqsTransport(
            sp.GetRequiredService<IAmazonSQS>(),
            sp.GetRequiredService<IOptions<CelerySqsOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SqsBroker>>()));
        return builder.UseCelery(sp => sp.GetRequiredService<KombuSqsTransport>());
    }
}
