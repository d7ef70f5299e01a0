namespace Celeriac.Sqlite.Tests;

public sealed record SquareArgs(int N);
