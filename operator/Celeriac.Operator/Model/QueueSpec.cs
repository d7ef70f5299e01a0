namespace Celeriac.Operator.Model;

public sealed class QueueSpec
{
    public const string CeleriacProtocol = "celeriac";
    public const string CeleryProtocol = "celery";

    public string Name { get; set; } = "";
    public int? Priority { get; set; }

    /// <summary><c>celeriac</c> (the default) or <c>celery</c>: Celery's message protocol on kombu's transport of the broker.</summary>
    public string? Protocol { get; set; }

    public bool IsCelery() => string.Equals(Protocol, CeleryProtocol, StringComparison.OrdinalIgnoreCase);
}
