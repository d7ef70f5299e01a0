using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Celeriac.Sqs.Client;

namespace Celeriac.Sqs.Tests;

/// <summary>The SigV4 signer against AWS's published test suite and against AWSSDK.Core's own signer.</summary>
public sealed class SqsSignerTests
{
    private static readonly SqsCredentials Suite = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTime SuiteDate = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Theory]
    // get-vanilla, post-vanilla-query and post-x-www-form-urlencoded from the aws-sig-v4-test-suite.
    [InlineData("GET", "https://example.amazonaws.com/", null, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("POST", "https://example.amazonaws.com/?Param1=value1", null, "", "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")]
    [InlineData("POST", "https://example.amazonaws.com/", "application/x-www-form-urlencoded", "Param1=value1", "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    public void MatchesThePublishedTestSuite(string method, string url, string? contentType, string body, string signedHeaders, string signature)
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = "20150830T123600Z" };
        if (contentType is not null) headers["Content-Type"] = contentType;

        var authorization = SqsSigner.Authorization(method, new Uri(url), headers, Encoding.UTF8.GetBytes(body), Suite, "us-east-1", "service", SuiteDate);

        Assert.Equal($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}", authorization);
    }

    [Fact]
    public void MatchesAwsSdkCoreForAnSqsJsonRequest()
    {
        var endpoint = new Uri("https://sqs.eu-west-1.amazonaws.com/");
        var body = """{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/billing-default","MaxNumberOfMessages":10}"""u8.ToArray();
        var credentials = new SqsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN");
        var signedAt = new DateTime(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-amz-json-1.0",
            ["host"] = "sqs.eu-west-1.amazonaws.com",
            ["x-amz-date"] = "20260314T092653Z",
            ["x-amz-security-token"] = credentials.SessionToken!,
            ["x-amz-target"] = "AmazonSQS.ReceiveMessage",
        };

        var ours = SqsSigner.Authorization("POST", endpoint, headers, body, credentials, "eu-west-1", "sqs", signedAt);

        var sorted = new SortedDictionary<string, string>(headers, StringComparer.Ordinal);
        var canonical = SdkSigner.Canonical(endpoint, "/", "POST", sorted, "", Convert.ToHexStringLower(SHA256.HashData(body)));
        var sdk = AWS4Signer.ComputeSignature(credentials.AccessKeyId, credentials.SecretAccessKey, "eu-west-1", signedAt, "sqs", string.Join(';', sorted.Keys), canonical);
        Assert.Equal(sdk.ForAuthorizationHeader, ours);
    }

    /// <summary>Reaches AWSSDK.Core's canonicalisation, which it exposes to derived signers only.</summary>
    private sealed class SdkSigner : AWS4Signer
    {
        public static string Canonical(Uri endpoint, string path, string method, IDictionary<string, string> sortedHeaders, string query, string bodyHash) =>
            CanonicalizeRequest(endpoint, path, method, sortedHeaders, query, bodyHash);
    }

    [Fact]
    public void TheSignatureChangesWithTheBody()
    {
        var headers = new Dictionary<string, string> { ["host"] = "sqs.us-east-1.amazonaws.com", ["x-amz-date"] = "20260314T092653Z" };
        var uri = new Uri("https://sqs.us-east-1.amazonaws.com/");
        var date = new DateTime(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);
        Assert.NotEqual(
            SqsSigner.Authorization("POST", uri, headers, "{}"u8, Suite, "us-east-1", "sqs", date),
            SqsSigner.Authorization("POST", uri, headers, "{ }"u8, Suite, "us-east-1", "sqs", date));
    }
}
