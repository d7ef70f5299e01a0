namespace Celeriac.Chart.Tests;

/// <summary>What validate-values.cjs said: exit 0 valid, 1 invalid (ajv's errors as JSON in Output), 2 the schema itself is wrong.</summary>
public sealed record ValidationResult(int ExitCode, string Output, string Error)
{
    public bool Valid => ExitCode == 0;
}
