using Celeriac.Hosting;

namespace Celeriac.Registry;

/// <summary>The rules of <c>Celeriac:Registry</c>.</summary>
public sealed class RegistryOptionsValidator() : OptionsSectionValidator<RegistryOptions>("Registry")
{
    protected override void Check(RegistryOptions options, OptionsCheck check)
    {
        check.Positive(options.HeartbeatInterval, nameof(options.HeartbeatInterval));
        check.AtLeast(options.LostAfter, options.HeartbeatInterval, nameof(options.LostAfter));
        check.AtLeast(options.ForgetAfter, options.LostAfter, nameof(options.ForgetAfter));
    }
}
