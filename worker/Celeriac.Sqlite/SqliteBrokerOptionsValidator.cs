using Celeriac.Hosting;

namespace Celeriac.Sqlite;

/// <summary>The rules of <c>Celeriac:Broker:Sqlite</c>.</summary>
public sealed class SqliteBrokerOptionsValidator() : OptionsSectionValidator<SqliteBrokerOptions>("Broker:Sqlite")
{
    internal static SqliteBrokerOptionsValidator Instance { get; } = new();

    protected override void Check(SqliteBrokerOptions options, OptionsCheck check)
    {
        SqliteFileRules.Check(options.Path, options.BusyTimeout, check);
        check.Positive(options.PollInterval, nameof(options.PollInterval));
    }
}
