using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

/// <summary>
/// Checks one options type bound from a section under <c>Celeriac</c>, and names the configuration key of every
/// failure (<c>Celeriac:Broker:Sqlite:PollInterval must be positive (was 00:00:00)</c>). Registered with
/// <see cref="CeleriacOptionsRegistration.AddCeleriacOptions{TOptions, TValidator}"/>, it runs when the host starts
/// (<c>ValidateOnStart</c>); <see cref="ThrowIfInvalid"/> applies the same rules to options handed to a constructor.
/// </summary>
public abstract class OptionsSectionValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class
{
    /// <param name="section">The section under <c>Celeriac</c>, e.g. <c>Broker:Sqlite</c>; empty for <c>Celeriac</c> itself.</param>
    protected OptionsSectionValidator(string section)
    {
        Section = section;
    }

    /// <summary>The section under <c>Celeriac</c> the options are bound from.</summary>
    public string Section { get; }

    /// <summary>Adds a failure to <paramref name="check"/> for every rule <paramref name="options"/> breaks.</summary>
    protected abstract void Check(TOptions options, OptionsCheck check);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionsCheck(Section.Length == 0 ? "Celeriac" : "Celeriac:" + Section);
        Check(options, check);
        return check.Failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(check.Failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> with every failure when <paramref name="options"/> break a rule.</summary>
    public void ThrowIfInvalid(TOptions options)
    {
        var result = Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
    }
}
