using Celeriac.Hosting;

namespace Celeriac.TaskIndex;

/// <summary>The rules of <c>Celeriac:TaskIndex</c>.</summary>
public sealed class TaskIndexOptionsValidator() : OptionsSectionValidator<TaskIndexOptions>("TaskIndex")
{
    protected override void Check(TaskIndexOptions options, OptionsCheck check)
    {
        check.Positive(options.MaxTasks, nameof(options.MaxTasks));
        check.Positive(options.MaxAge, nameof(options.MaxAge));
        check.Positive(options.FlushInterval, nameof(options.FlushInterval));
        check.Positive(options.MaxPending, nameof(options.MaxPending));
        check.Positive(options.MaxArgsLength, nameof(options.MaxArgsLength));
    }
}
