using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Schema;
using Celeriac.Operator.Validation;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Rendering;

/// <summary>
/// The <c>render</c> command's work: the exact objects the operator would apply for TaskQueue files, as YAML. Files are
/// checked as strictly as the API server's field validation checks <c>kubectl apply</c>: unknown fields, wrong types
/// and values outside the CRD's schema are errors naming the file, line and field, and so are documents that are not
/// TaskQueues and files without any.
/// </summary>
public static class OfflineRenderer
{
    /// <summary>A file's name (as given, or <c>-</c> for standard input) and its text.</summary>
    public sealed record Input(string Name, string Text);

    /// <returns>The YAML of every object, or every error of every input (then no YAML).</returns>
    public static (string? Yaml, IReadOnlyList<string> Errors) Render(IReadOnlyList<Input> inputs, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var rendered = new List<JsonNode>();
        var errors = new List<string>();
        foreach (var input in inputs)
            foreach (var queue in Read(input, errors))
            {
                rendered.AddRange(TaskQueueRenderer.Render(queue, options));
                // Applied where the cluster serves keda.sh; shown here for the pools in keda mode.
                rendered.AddRange(Autoscaling.Keda.ScaledObjectRenderer.Render(queue));
            }
        return errors.Count > 0 ? (null, errors) : (YamlJson.ToYaml(rendered), []);
    }

    public static (string? Yaml, IReadOnlyList<string> Errors) Render(string yaml, RenderOptions options) => Render([new Input("-", yaml)], options);

    /// <summary>The valid TaskQueues of one input; what is wrong goes to <paramref name="errors"/>.</summary>
    private static List<TaskQueue> Read(Input input, List<string> errors)
    {
        IReadOnlyList<PositionedDocument> documents;
        try
        {
            documents = YamlJson.ParseDocumentsWithPositions(input.Text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add($"{input.Name}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {Inner(e).Message}");
            return [];
        }
        catch (FormatException e)
        {
            errors.Add($"{input.Name}: not valid YAML: {e.Message}");
            return [];
        }
        var queues = new List<TaskQueue>();
        var found = 0;
        foreach (var document in documents.Where(d => d.Node is not null))
        {
            found++;
            var at = $"{input.Name}:{document.Start.Line}";
            if (document.Node is not JsonObject obj)
            {
                errors.Add($"{at}: a document must be a mapping (a TaskQueue), not {document.Node!.GetValueKind()}");
                continue;
            }
            var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var text) ? text : null;
            var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var version) ? version : null;
            if (kind != TaskQueue.KindValue || apiVersion != TaskQueue.ApiVersionValue)
            {
                errors.Add($"{at}: kind '{kind ?? "(none)"}' of apiVersion '{apiVersion ?? "(none)"}' is not a TaskQueue ({TaskQueue.ApiVersionValue}); render reads TaskQueues only");
                continue;
            }
            var schemaErrors = StructuralSchemaValidator.Validate(obj, TaskQueueSchema.OpenApiSchema);
            foreach (var error in schemaErrors)
            {
                var position = document.PositionOf(error.Path);
                errors.Add($"{input.Name}:{position.Line}:{position.Column}: {error}");
            }
            if (schemaErrors.Count > 0) continue;
            TaskQueue queue;
            try
            {
                queue = ModelJson.ToTaskQueue(obj);
            }
            catch (JsonException e)
            {
                errors.Add($"{at}: {e.Message}");
                continue;
            }
            var invalid = TaskQueueValidator.Validate(queue);
            if (invalid.Count > 0)
            {
                errors.AddRange(invalid.Select(e => $"{at}: {queue.Metadata.Name}: {e}"));
                continue;
            }
            queues.Add(queue);
        }
        if (found == 0) errors.Add($"{input.Name}: no TaskQueue in the file{(input.Text.Trim().Length == 0 ? " (it is empty)" : "")}");
        return queues;
    }

    private static Exception Inner(YamlDotNet.Core.YamlException e) => e.InnerException is YamlDotNet.Core.YamlException inner ? Inner(inner) : e;
}
