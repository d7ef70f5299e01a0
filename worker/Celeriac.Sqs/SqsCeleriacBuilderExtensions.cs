using Celeriac.Brokers;
using Celeriac.Sqs;
using Celeriac.Sqs.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class SqsCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses Amazon SQS, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>. Options come from
    /// <c>Celeriac:Broker:Sqs</c>, then from <paramref name="configure"/>. The client is registered as
    /// <see cref="ISqsClient"/> unless one is registered already (tests register a counting one).
    /// </summary>
    public static CeleriacBuilder UseSqsBroker(this CeleriacBuilder builder, Action<SqsBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SqsBrokerOptions>();
        if (builder.Configuration is not null) options.Bind(builder.Configuration.GetSection("Broker:Sqs"));
        if (configure is not null) options.Configure(configure);

        builder.Services.TryAddSingleton<ISqsClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SqsBrokerOptions>>().Value;
            return SqsClientFactory.Create(o.ToClientOptions(), o.QueueUrlPrefix ?? o.QueueUrls.Values.FirstOrDefault(),
                time: sp.GetService<TimeProvider>(), loggers: sp.GetService<ILoggerFactory>());
        });
        builder.Services.TryAddSingleton(sp => new SqsBroker(
            sp.GetRequiredService<ISqsClient>(),
            sp.GetRequiredService<IOptions<SqsBrokerOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SqsBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<SqsBroker>());
        return builder;
    }
}
