using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class CeleriacOptionsRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/>: bound from the validator's section of <paramref name="celeriac"/> (the
    /// <c>Celeriac</c> section, when there is configuration), then <paramref name="configure"/>, then checked by
    /// <typeparamref name="TValidator"/> when the host starts, so that a bad value stops the start with its key named.
    /// Calling it again for the same type adds the callback but neither a second binding nor a second validator.
    /// </summary>
    public static OptionsBuilder<TOptions> AddCeleriacOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration? celeriac, Action<TOptions>? configure = null)
        where TOptions : class
        where TValidator : OptionsSectionValidator<TOptions>, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TOptions>();
        var first = !services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationType == typeof(TValidator));
        if (first)
        {
            // Bound once: binding a list twice would append its items twice.
            var section = new TValidator().Section;
            if (celeriac is not null) options.Bind(section.Length == 0 ? celeriac : celeriac.GetSection(section));
            services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        }
        if (configure is not null) options.Configure(configure);
        return options.ValidateOnStart();
    }

    /// <inheritdoc cref="AddCeleriacOptions{TOptions, TValidator}(IServiceCollection, IConfiguration?, Action{TOptions}?)"/>
    public static OptionsBuilder<TOptions> AddCeleriacOptions<TOptions, TValidator>(this CeleriacBuilder builder, Action<TOptions>? configure = null)
        where TOptions : class
        where TValidator : OptionsSectionValidator<TOptions>, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddCeleriacOptions<TOptions, TValidator>(builder.Configuration, configure);
    }
}
