using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Validation;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Rendering;

/// <summary>The <c>render -f taskqueue.yaml</c> command: the exact objects the operator would apply, as YAML.</summary>
public static class OfflineRenderer
{
    /// <returns>The YAML of every object, or the validation errors of the first invalid TaskQueue.</returns>
    public static (string? Yaml, IReadOnlyList<string> Errors) Render(string yaml, RenderOptions options)
    {
        var rendered = new List<JsonNode>();
        foreach (var document in YamlJson.ParseDocuments(yaml))
        {
            if (document["kind"]?.GetValue<string>() != TaskQueue.KindValue) continue;
            var queue = ModelJson.ToTaskQueue(document);
            var errors = TaskQueueValidator.Validate(queue);
            if (errors.Count > 0) return (null, [.. errors.Select(e => $"{queue.Metadata.Name}: {e}")]);
            rendered.AddRange(TaskQueueRenderer.Render(queue, options));
            // Applied where the cluster serves keda.sh; shown here for the pools in keda mode.
            rendered.AddRange(Autoscaling.Keda.ScaledObjectRenderer.Render(queue));
        }
        return (YamlJson.ToYaml(rendered), []);
    }
}
