using Celeriac.Hosting;

namespace Celeriac.Control;

/// <summary>The rules of <c>Celeriac:Control</c>.</summary>
public sealed class ControlOptionsValidator() : OptionsSectionValidator<ControlOptions>("Control")
{
    protected override void Check(ControlOptions options, OptionsCheck check) =>
        check.Positive(options.PollInterval, nameof(options.PollInterval));
}
