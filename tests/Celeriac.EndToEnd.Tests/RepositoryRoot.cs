namespace Celeriac.EndToEnd.Tests;

/// <summary>The repository the tests run from (found upwards from the test binaries).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Celeriac.slnx"))) return directory.FullName;
        throw new InvalidOperationException("the repository root (Celeriac.slnx) is not above the test binaries");
    }
}
