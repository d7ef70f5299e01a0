using Celeriac.Hosting;

namespace Celeriac.Sqlite;

/// <summary>The rules of <c>Celeriac:Store:Sqlite</c>.</summary>
public sealed class SqliteStoreOptionsValidator() : OptionsSectionValidator<SqliteStoreOptions>("Store:Sqlite")
{
    protected override void Check(SqliteStoreOptions options, OptionsCheck check) =>
        SqliteFileRules.Check(options.Path, options.BusyTimeout, check);
}
