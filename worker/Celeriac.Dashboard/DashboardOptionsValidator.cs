using Celeriac.Hosting;

namespace Celeriac.Dashboard;

/// <summary>The rules of <c>Celeriac:Dashboard</c>.</summary>
public sealed class DashboardOptionsValidator() : OptionsSectionValidator<DashboardOptions>("Dashboard")
{
    public const int MinTokenLength = 16;

    protected override void Check(DashboardOptions options, OptionsCheck check)
    {
        check.AtLeast(options.RefreshInterval, TimeSpan.FromSeconds(1), nameof(options.RefreshInterval));
        if (options.Token is { } token && token.Trim().Length < MinTokenLength)
            check.Fail(nameof(options.Token), $"must be at least {MinTokenLength} characters (a guessable token protects nothing)");
        if (options.TokenFile is { } file && !File.Exists(file))
            check.Fail(nameof(options.TokenFile), $"'{file}' does not exist");
    }
}
