namespace Celeriac.Sqs.Client;

/// <summary>Where the client gets credentials for each request; implementations cache and refresh them.</summary>
public interface ISqsCredentialSource
{
    ValueTask<SqsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}
