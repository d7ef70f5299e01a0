namespace Celeriac.Operator.Model;

public sealed class SecretKeyRef
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
}
