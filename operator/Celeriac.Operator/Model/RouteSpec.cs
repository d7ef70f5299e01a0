namespace Celeriac.Operator.Model;

/// <summary>
/// One entry of <c>spec.routes</c>: tasks whose name matches <see cref="Pattern"/> are sent to <see cref="Queue"/> by every
/// producer of the TaskQueue (<c>Celeriac:Routes</c>, <see cref="Celeriac.Routing.TaskRoute"/>), first match wins.
/// </summary>
public sealed class RouteSpec
{
    /// <summary>A task name, or a pattern with <c>*</c> for any run of characters (<c>emails.*</c>).</summary>
    public string Pattern { get; set; } = "";

    /// <summary>A queue declared in <c>spec.queues</c>.</summary>
    public string Queue { get; set; } = "";
}
