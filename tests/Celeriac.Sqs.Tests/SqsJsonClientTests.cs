using System.Net;
using Celeriac.Sqs.Client;
using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>The client's error handling on scripted responses shaped like the SQS JSON protocol's.</summary>
public sealed class SqsJsonClientTests
{
    private const string QueueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/q";

    private static SqsJsonClient Client(ScriptedHandler handler) => SqsClientFactory.Create(
        new SqsClientOptions { Region = "eu-west-1", AccessKeyId = "AKID", SecretAccessKey = "secret", RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 3 },
        handler: handler, environment: _ => null);

    [Fact]
    public async Task ThrottlingAndServerErrorsAreRetried()
    {
        var handler = new ScriptedHandler(
            (HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"""),
            (HttpStatusCode.InternalServerError, """{"__type":"com.amazonaws.sqs#InternalError","message":"oops"}"""),
            (HttpStatusCode.OK, """{"Messages":[{"MessageId":"m1","ReceiptHandle":"r1","Body":"hi","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1700000000000"},"MessageAttributes":{"a":{"DataType":"String","StringValue":"b"}}}]}"""));
        using var client = Client(handler);

        var messages = await client.ReceiveMessageAsync(new SqsReceiveRequest(QueueUrl, 10, 30, 0), CancellationToken.None);

        var message = Assert.Single(messages);
        Assert.Equal(("m1", "r1", "hi", 3), (message.MessageId, message.ReceiptHandle, message.Body, message.ApproximateReceiveCount));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), message.SentTimestamp);
        Assert.Equal("b", message.StringAttributes["a"]);
        Assert.Equal(3, handler.Targets.Count);
        Assert.All(handler.Targets, t => Assert.Equal("AmazonSQS.ReceiveMessage", t));
        Assert.All(handler.Authorizations, a => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/", a, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientErrorsAreNotRetriedAndCarryTheShortCode()
    {
        var handler = new ScriptedHandler((HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"""));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<SqsException>(() => client.PurgeQueueAsync(QueueUrl, CancellationToken.None));

        Assert.Equal("QueueDoesNotExist", error.ErrorCode);
        Assert.True(error.IsQueueMissing);
        Assert.Single(handler.Targets);
    }

    [Fact]
    public async Task RetriesStopAfterMaxRetries()
    {
        var handler = new ScriptedHandler([.. Enumerable.Repeat((HttpStatusCode.ServiceUnavailable, "{}"), 4)]);
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<SqsException>(() => client.PurgeQueueAsync(QueueUrl, CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(4, handler.Targets.Count);
    }

    [Fact]
    public async Task PartialBatchFailuresAreReportedPerEntry()
    {
        var handler = new ScriptedHandler((HttpStatusCode.OK,
            """{"Successful":[{"Id":"0"}],"Failed":[{"Id":"1","Code":"ReceiptHandleIsInvalid","Message":"stale","SenderFault":true}]}"""));
        using var client = Client(handler);

        var result = await client.DeleteMessageBatchAsync(QueueUrl, [new SqsReceiptEntry("0", "a"), new SqsReceiptEntry("1", "b")], CancellationToken.None);

        Assert.Equal(["0"], result.Successful);
        var failure = Assert.Single(result.Failed);
        Assert.Equal(("1", "ReceiptHandleIsInvalid", true), (failure.Id, failure.Code, failure.SenderFault));
    }
}
