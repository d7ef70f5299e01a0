namespace Celeriac.Operator.Model;

public sealed class ServiceBusBrokerSpec
{
    public string? FullyQualifiedNamespace { get; set; }
    public SecretKeyRef? ConnectionStringSecretRef { get; set; }
}
