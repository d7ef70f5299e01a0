namespace Celeriac.Operator.Model;

/// <summary>A Secret holding static AWS keys; absent means the pod's identity is used.</summary>
public sealed class SqsCredentialsSecretRef
{
    public string Name { get; set; } = "";
    public string AccessKeyIdKey { get; set; } = "accessKeyId";
    public string SecretAccessKeyKey { get; set; } = "secretAccessKey";
}
