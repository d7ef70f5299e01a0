namespace Celeriac.Hosting;

/// <summary>
/// Optional entry point of a task assembly loaded by the worker host (<c>--tasks My.Tasks.dll</c>):
/// registers its tasks and the services they need. Without one, the host registers every
/// <see cref="Tasks.CeleriacTaskAttribute"/> type of the assembly.
/// </summary>
public interface ICeleriacModule
{
    void Configure(CeleriacBuilder builder);
}
