using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>
/// Validates values documents against the chart's values.schema.json with ajv (npm, installed into .tools/ by
/// scripts/test-deps.sh), run by node.
/// </summary>
public static class SchemaValidator
{
    public static ValidationResult Validate(JsonNode values, string? schemaPath = null)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(AppContext.BaseDirectory, "validate-values.cjs"), schemaPath ?? Path.Combine(Repo.Chart, "values.schema.json")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NODE_PATH"] = NodeModules();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(values.ToJsonString());
        process.StandardInput.Close();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("node validate-values.cjs did not finish in 30 s");
        }
        return new ValidationResult(process.ExitCode, output.Result, error.Result);
    }

    private static string NodeModules()
    {
        var candidate = Path.Combine(Repo.Root, ".tools", "node_modules");
        return Directory.Exists(Path.Combine(candidate, "ajv"))
            ? candidate
            : throw new InvalidOperationException("ajv is not installed: run scripts/test-deps.sh (make test does).");
    }
}
