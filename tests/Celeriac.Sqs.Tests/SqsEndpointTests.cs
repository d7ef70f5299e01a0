using Celeriac.Sqs.Client;

namespace Celeriac.Sqs.Tests;

public sealed class SqsEndpointTests
{
    private static Func<string, string?> Env(Dictionary<string, string> values) => name => values.GetValueOrDefault(name);

    [Fact]
    public void TheExplicitEndpointWinsOverTheEnvironment()
    {
        var env = Env(new() { [SqsEndpoint.EndpointVariable] = "http://sqs.local:1", [SqsEndpoint.GlobalEndpointVariable] = "http://all.local:2" });
        Assert.Equal(new Uri("http://explicit:3/"), SqsEndpoint.Resolve("http://explicit:3/", "eu-west-1", env));
    }

    [Fact]
    public void TheServiceVariableWinsOverTheGlobalOne()
    {
        Assert.Equal(new Uri("http://sqs.local:1"), SqsEndpoint.Resolve(null, "eu-west-1",
            Env(new() { [SqsEndpoint.EndpointVariable] = "http://sqs.local:1", [SqsEndpoint.GlobalEndpointVariable] = "http://all.local:2" })));
        Assert.Equal(new Uri("http://all.local:2"), SqsEndpoint.Resolve(null, "eu-west-1", Env(new() { [SqsEndpoint.GlobalEndpointVariable] = "http://all.local:2" })));
    }

    [Fact]
    public void WithoutConfigurationTheRegionalEndpointIsUsed()
    {
        Assert.Equal(new Uri("https://sqs.eu-west-1.amazonaws.com/"), SqsEndpoint.Resolve(null, "eu-west-1", Env([])));
        Assert.Equal(new Uri("https://sqs.cn-north-1.amazonaws.com.cn/"), SqsEndpoint.Resolve(null, "cn-north-1", Env([])));
    }

    [Fact]
    public void AnInvalidEndpointIsRefusedWithItsName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SqsEndpoint.Resolve("not a url", "eu-west-1", Env([])));
        Assert.Contains("not a url", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/123456789012/billing-", "eu-west-1")]
    [InlineData("http://127.0.0.1:4566/123456789012/q", null)]
    [InlineData(null, null)]
    public void TheRegionIsReadFromAStandardQueueUrl(string? url, string? region) => Assert.Equal(region, SqsEndpoint.RegionFromQueueUrl(url));
}
