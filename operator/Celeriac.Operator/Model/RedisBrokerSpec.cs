namespace Celeriac.Operator.Model;

public sealed class RedisBrokerSpec
{
    public string? Address { get; set; }
    public bool Tls { get; set; }

    /// <summary>Unset: the worker's own prefix (RedisBrokerOptions, RedisStoreOptions).</summary>
    public string? KeyPrefix { get; set; }
    public SecretKeyRef? PasswordSecretRef { get; set; }
    public SecretKeyRef? ConnectionStringSecretRef { get; set; }
}
