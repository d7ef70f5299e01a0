namespace Celeriac.Operator.Tests.Fake;

/// <summary>The fake kubelet expands a container's env as Kubernetes documents it.</summary>
public sealed class KubeletTests
{
    [Theory]
    [InlineData("a=$(A)", "a=1")]
    [InlineData("$(A)$(B)", "12")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("cost $5", "cost $5")]
    [InlineData("end$", "end$")]
    [InlineData("$(A", "$(A")]
    public void Expansion_follows_the_kubelet(string value, string expected) =>
        Assert.Equal(expected, Kubelet.Expand(value, new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }));
}
