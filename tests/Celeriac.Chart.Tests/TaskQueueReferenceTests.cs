namespace Celeriac.Chart.Tests;

/// <summary>docs/taskqueue-reference.md documents every field of the CRD, with the CRD's own types, defaults, bounds and descriptions.</summary>
public sealed class TaskQueueReferenceTests
{
    [Fact]
    public void Every_spec_field_has_a_description_for_kubectl_explain()
    {
        var missing = TaskQueueReference.Fields(TaskQueueReference.Schema(), "spec")
            .Where(f => string.IsNullOrWhiteSpace(f.Schema["description"]?.GetValue<string>()))
            .Select(f => f.Path).ToList();
        Assert.True(missing.Count == 0, "CRD fields without a description: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_reference_is_generated_from_the_current_crd()
    {
        var document = TaskQueueReference.CurrentDocument();
        var expected = TaskQueueReference.Splice(document, TaskQueueReference.Generate());
        if (TaskQueueReference.UpdateRequested && expected != document) TaskQueueReference.Write(expected);
        else Assert.True(expected == document, "docs/taskqueue-reference.md is out of date with the CRD: run `make docs`");
    }

    [Fact]
    public void The_reference_has_a_row_per_field()
    {
        var document = TaskQueueReference.CurrentDocument();
        foreach (var field in TaskQueueReference.Fields(TaskQueueReference.Schema(), "spec"))
            Assert.Contains($"| `{field.Path}`", document, StringComparison.Ordinal);
        var pools = TaskQueueReference.Fields(TaskQueueReference.Schema(), "spec").Single(f => f.Path == "spec.pools[].concurrency");
        Assert.Equal(8L, pools.Schema["default"]!.GetValue<long>());
    }
}
