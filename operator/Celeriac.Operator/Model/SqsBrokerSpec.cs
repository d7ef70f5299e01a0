namespace Celeriac.Operator.Model;

public sealed class SqsBrokerSpec
{
    public string Region { get; set; } = "";
    public string QueueUrlPrefix { get; set; } = "";
    public string? Endpoint { get; set; }
    public SqsCredentialsSecretRef? CredentialsSecretRef { get; set; }
}
