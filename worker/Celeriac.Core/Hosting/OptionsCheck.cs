using System.Globalization;

namespace Celeriac.Hosting;

/// <summary>The failures of one options validation, each worded with the full configuration key.</summary>
public sealed class OptionsCheck
{
    private readonly List<string> _failures = [];

    internal OptionsCheck(string section)
    {
        Section = section;
    }

    /// <summary>The full key of the section, e.g. <c>Celeriac:Broker:Sqlite</c>.</summary>
    public string Section { get; }

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The full configuration key of <paramref name="key"/>, a key of this section.</summary>
    public string KeyOf(string key) => Section + ":" + key;

    /// <summary>Records that <paramref name="key"/> <paramref name="problem"/>, e.g. "must be positive (was 0)".</summary>
    public void Fail(string key, string problem) => _failures.Add(KeyOf(key) + " " + problem);

    public void Required(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value)) Fail(key, "must be set.");
    }

    public void Positive(long value, string key)
    {
        if (value <= 0) Fail(key, string.Create(CultureInfo.InvariantCulture, $"must be positive (was {value})."));
    }

    public void NotNegative(long value, string key)
    {
        if (value < 0) Fail(key, string.Create(CultureInfo.InvariantCulture, $"must not be negative (was {value})."));
    }

    public void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero) Fail(key, string.Create(CultureInfo.InvariantCulture, $"must be positive (was {value})."));
    }

    public void NotNegative(TimeSpan value, string key)
    {
        if (value < TimeSpan.Zero) Fail(key, string.Create(CultureInfo.InvariantCulture, $"must not be negative (was {value})."));
    }

    public void AtLeast(TimeSpan value, TimeSpan minimum, string key)
    {
        if (value < minimum) Fail(key, string.Create(CultureInfo.InvariantCulture, $"must be at least {minimum} (was {value})."));
    }
}
