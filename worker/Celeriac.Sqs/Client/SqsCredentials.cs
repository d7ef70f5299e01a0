namespace Celeriac.Sqs.Client;

/// <summary>One set of credentials for signing, with the session token of temporary credentials.</summary>
public sealed record SqsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() => $"SqsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
