using Celeriac.Hosting;

namespace Celeriac.Celery.Sqs;

/// <summary>The rules of <c>Celeriac:Celery:Sqs</c>.</summary>
public sealed class CelerySqsOptionsValidator() : OptionsSectionValidator<CelerySqsOptions>("Celery:Sqs")
{
    internal static CelerySqsOptionsValidator Instance { get; } = new();

    protected override void Check(CelerySqsOptions options, OptionsCheck check)
    {
        check.Required(options.QueueUrlPrefix, nameof(options.QueueUrlPrefix));
        if (!string.IsNullOrWhiteSpace(options.QueueUrlPrefix) && (!Uri.TryCreate(options.QueueUrlPrefix, UriKind.Absolute, out _) || !options.QueueUrlPrefix.EndsWith('/')))
            check.Fail(nameof(options.QueueUrlPrefix), $"must be an absolute URL ending in '/', the account's queue URL base (was '{options.QueueUrlPrefix}').");
        check.Required(options.DeadLetterQueue, nameof(options.DeadLetterQueue));
        if (options.LongPollSeconds is < 0 or > 20) check.Fail(nameof(options.LongPollSeconds), $"must be between 0 and 20 (was {options.LongPollSeconds}).");
        if (!string.IsNullOrWhiteSpace(options.Endpoint) && !Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
            check.Fail(nameof(options.Endpoint), $"must be an absolute URL (was '{options.Endpoint}').");
    }
}
