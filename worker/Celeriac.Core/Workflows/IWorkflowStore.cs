namespace Celeriac.Workflows;

/// <summary>Group joins of workflows (groups and chord headers): collects the members' results and decides, once, which member completed the group.</summary>
public interface IWorkflowStore
{
    /// <summary>
    /// Records the result of member <paramref name="index"/> of the group <paramref name="joinId"/> of <paramref name="size"/>
    /// members (the first record of a member wins, so a redelivered member never counts twice). Returns all the members'
    /// results in order when the group is complete and this member is the one that completed it — exactly one member, even
    /// when the last ones finish together; the same member asking again (a redelivery) gets them again. Otherwise null.
    /// </summary>
    ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken);
}
