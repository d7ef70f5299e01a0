using Celeriac.Hosting;
namespace Celeriac.Sqlite;
public sealed class SqliteBrokerOptions { public string Path { get; set; } = "celeriac.db"; }
public static class SqliteExt { public static CeleriacBuilder UseSqliteBroker(this CeleriacBuilder b, Action<SqliteBrokerOptions>? c = null) => b.UseInMemoryBroker(); }
