namespace Celeriac.Operator.Model;

public sealed class QueueSpec
{
    public string Name { get; set; } = "";
    public int Priority { get; set; }
}
