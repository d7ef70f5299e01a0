using Celeriac.Hosting;

namespace Celeriac.Operator.Model;

public sealed class QueueSpec
{
    public string Name { get; set; } = "";
    public int Priority { get; set; }

    /// <summary><c>celeriac</c> (the default) or <c>celery</c>: Celery's message protocol on kombu's transport of the broker (<see cref="QueueProtocols"/>).</summary>
    public string Protocol { get; set; } = QueueProtocols.Celeriac;

    public bool IsCelery() => string.Equals(Protocol, QueueProtocols.Celery, StringComparison.OrdinalIgnoreCase);
}
