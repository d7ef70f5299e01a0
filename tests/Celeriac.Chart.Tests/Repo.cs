namespace Celeriac.Chart.Tests;

/// <summary>Paths in the repository the tests run from (found upwards from the test binaries).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "celeriac-operator");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    public static string ChartFile(params string[] parts) => File.ReadAllText(Path.Combine([Chart, .. parts]));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Celeriac.slnx"))) return directory.FullName;
        }
        throw new InvalidOperationException("the repository root (Celeriac.slnx) is not above the test binaries");
    }
}
