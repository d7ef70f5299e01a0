namespace Celeriac.Operator.Model;

public sealed class RedisBrokerSpec
{
    public string? Address { get; set; }
    public bool? Tls { get; set; }
    public string? KeyPrefix { get; set; }
    public SecretKeyRef? PasswordSecretRef { get; set; }
    public SecretKeyRef? ConnectionStringSecretRef { get; set; }
}
