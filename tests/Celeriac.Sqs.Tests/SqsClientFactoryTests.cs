using Amazon;
using Amazon.Runtime;
using Celeriac.Sqs.Tests.Infrastructure;
using Celeriac.Testing.Sqs;

namespace Celeriac.Sqs.Tests;

/// <summary>What Celeriac adds when it builds the SDK client itself: options onto the SDK's configuration, and the region of a queue URL.</summary>
public sealed class SqsClientFactoryTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/123456789012/billing-", "eu-west-1")]
    [InlineData("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1")]
    [InlineData("http://127.0.0.1:4566/123456789012/q", null)]
    [InlineData("not a url", null)]
    [InlineData(null, null)]
    public void The_region_is_read_from_a_standard_queue_url(string? url, string? region) => Assert.Equal(region, SqsQueueUrls.Region(url));

    [Fact]
    public void The_queue_urls_region_is_used_when_none_is_configured()
    {
        var config = SqsClientFactory.CreateConfig(new SqsBrokerOptions { QueueUrlPrefix = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/app-" }, NoEnvironment);
        Assert.Equal(RegionEndpoint.APSoutheast2, config.RegionEndpoint);
        Assert.Equal(RequestRetryMode.Standard, config.RetryMode);
    }

    [Fact]
    public void An_explicit_endpoint_becomes_the_service_url_and_the_region_signs_for_it()
    {
        var config = SqsClientFactory.CreateConfig(new SqsBrokerOptions
        {
            QueueUrlPrefix = "http://127.0.0.1:9324/123456789012/app-",
            Endpoint = "http://127.0.0.1:9324",
            Region = "eu-central-1",
            MaxRetries = 7,
        }, NoEnvironment);
        Assert.Equal("http://127.0.0.1:9324/", config.DetermineServiceOperationEndpoint(new Amazon.Runtime.Endpoints.ServiceOperationEndpointParameters(new Amazon.SQS.Model.ListQueuesRequest())).URL);
        Assert.Equal("eu-central-1", config.AuthenticationRegion);
        Assert.Equal(7, config.MaxErrorRetry);
    }

    [Fact]
    public async Task Static_keys_sign_the_requests()
    {
        var requests = new SqsRequestCounter();
        var options = SqsTestBrokers.Options(emulator, emulator.NewPrefix());
        options.AccessKeyId = "AKIDEXAMPLE";
        options.SessionToken = "session-token";
        using var client = SqsTestBrokers.Client(options, requests);

        await client.ListQueuesAsync(new Amazon.SQS.Model.ListQueuesRequest());

        var (authorization, token) = Assert.Single(requests.Signatures);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", authorization, StringComparison.Ordinal);
        Assert.Contains("/us-east-1/sqs/aws4_request", authorization, StringComparison.Ordinal);
        Assert.Equal("session-token", token);
    }

    [Fact]
    public void A_missing_profile_is_named_in_the_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SqsClientFactory.Create(new SqsBrokerOptions
        {
            QueueUrlPrefix = "https://sqs.eu-west-1.amazonaws.com/123456789012/app-",
            Profile = "celeriac-no-such-profile",
        }, environment: NoEnvironment));
        Assert.Contains("celeriac-no-such-profile", error.Message, StringComparison.Ordinal);
        Assert.Contains("Celeriac:Broker:Sqs:Profile", error.Message, StringComparison.Ordinal);
    }
}
