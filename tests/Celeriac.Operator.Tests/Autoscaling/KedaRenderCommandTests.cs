using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Tests.Autoscaling;

public sealed class KedaRenderCommandTests
{
    [Fact]
    public void The_render_command_shows_the_scaled_object_of_a_keda_pool()
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "taskqueue-servicebus.yaml"));
        var (output, errors) = OfflineRenderer.Render(yaml, new RenderOptions());
        Assert.Empty(errors);
        Assert.Contains("kind: ScaledObject", output, StringComparison.Ordinal);
        Assert.Contains("type: azure-servicebus", output, StringComparison.Ordinal);
        Assert.Contains("provider: azure-workload", output, StringComparison.Ordinal);
    }
}
