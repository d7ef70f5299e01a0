using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests;

public sealed class YamlJsonTests
{
    [Fact]
    public void Scalars_follow_the_yaml_core_schema()
    {
        var node = YamlJson.ParseSingle("a: 85\nb: \"85\"\nc: true\nd: 'true'\ne: null\nf: 1.5\ng: text\nh: 0.5Gi\n");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, JsonValueKindOf(node["a"]));
        Assert.Equal("85", node["b"]!.GetValue<string>());
        Assert.True(node["c"]!.GetValue<bool>());
        Assert.Equal("true", node["d"]!.GetValue<string>());
        Assert.Null(node["e"]);
        Assert.Equal(1.5, node["f"]!.GetValue<double>());
        Assert.Equal("0.5Gi", node["h"]!.GetValue<string>());
    }

    [Fact]
    public void Strings_that_would_read_as_other_types_are_quoted_and_round_trip()
    {
        var original = new JsonObject
        {
            ["number"] = "85", ["bool"] = "true", ["yes"] = "yes", ["empty"] = "", ["colon"] = "a: b", ["time"] = "00:00:30",
            ["dollar"] = "x,password=$(P)", ["real"] = 3, ["flag"] = false, ["list"] = new JsonArray("a", 1), ["nothing"] = new JsonObject(),
        };
        var yaml = YamlJson.ToYaml([original]);
        var back = YamlJson.ParseSingle(yaml);
        Assert.True(JsonNode.DeepEquals(original, back), yaml);
        Assert.Contains("number: \"85\"", yaml, StringComparison.Ordinal);
    }

    private static System.Text.Json.JsonValueKind JsonValueKindOf(JsonNode? node) => node!.GetValueKind();
}
