namespace Celeriac.Hosting;

/// <summary>The rules of <c>Celeriac:Scheduler</c>.</summary>
public sealed class LocalSchedulerOptionsValidator() : OptionsSectionValidator<LocalSchedulerOptions>("Scheduler")
{
    protected override void Check(LocalSchedulerOptions options, OptionsCheck check)
    {
        check.Positive(options.PollPeriod, nameof(options.PollPeriod));
        check.Positive(options.LockTtl, nameof(options.LockTtl));
    }
}
