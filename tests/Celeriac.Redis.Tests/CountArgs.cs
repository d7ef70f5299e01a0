namespace Celeriac.Redis.Tests;

public sealed record CountArgs(int Milliseconds);
