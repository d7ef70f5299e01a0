namespace Celeriac.Sqs.Client;

/// <summary>A failed entry of a batch action. <see cref="SenderFault"/> false means the service failed and a retry may work.</summary>
public sealed record SqsBatchFailure(string Id, string Code, string? Message, bool SenderFault);
