namespace Celeriac.Sqs.Client;

/// <summary>The outcome of a batch action: ids of the entries that succeeded and the failures of the others.</summary>
public sealed record SqsBatchResult(IReadOnlyList<string> Successful, IReadOnlyList<SqsBatchFailure> Failed);
