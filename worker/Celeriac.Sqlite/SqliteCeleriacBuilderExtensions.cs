using Celeriac.Brokers;
using Celeriac.Sqlite;
using Celeriac.Sqlite.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class SqliteCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses the embedded SQLite broker, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>.
    /// Options come from <c>Celeriac:Broker:Sqlite</c>, then from <paramref name="configure"/>.
    /// </summary>
    public static CeleriacBuilder UseSqliteBroker(this CeleriacBuilder builder, Action<SqliteBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<SqliteBrokerOptions, SqliteBrokerOptionsValidator>(configure);

        builder.Services.TryAddSingleton(sp => new SqliteBroker(
            sp.GetRequiredService<IOptions<SqliteBrokerOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SqliteBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<SqliteBroker>());
        // The embedded default has the same features as the server brokers: its store lives in the same file.
        builder.Services.RemoveAll<SqliteStoreDatabase>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqliteBrokerOptions>>().Value;
            return new SqliteStoreDatabase(options.Path, options.BusyTimeout, sp.GetService<TimeProvider>());
        });
        return builder.UseStore(SqliteStore.Services);
    }

    /// <summary>
    /// Keeps rate limits, locks, results, revocations and workflows in a SQLite file shared by every process on
    /// this machine (with any broker). Options come from <c>Celeriac:Store:Sqlite</c>, then from <paramref name="configure"/>.
    /// </summary>
    public static CeleriacBuilder UseSqliteStore(this CeleriacBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<SqliteStoreOptions, SqliteStoreOptionsValidator>(configure);
        builder.Services.RemoveAll<SqliteStoreDatabase>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;
            return new SqliteStoreDatabase(options.Path, options.BusyTimeout, sp.GetService<TimeProvider>());
        });
        return builder.UseStore(SqliteStore.Services);
    }
}
