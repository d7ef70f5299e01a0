namespace Celeriac.FanOut;

/// <summary>What a fan-out run did: items sent by this run and in total under its key, chunks, and whether it resumed.</summary>
public sealed record FanOutReport(long Sent, long TotalSent, int Chunks, bool Resumed, bool Completed);
