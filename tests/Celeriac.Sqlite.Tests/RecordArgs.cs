namespace Celeriac.Sqlite.Tests;

public sealed record RecordArgs(int Number);
