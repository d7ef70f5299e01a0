using System.Globalization;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Acme.Tasks.Images;

public sealed record CatalogEntry(string Path, int Width, int Height, int Entries);

/// <summary>
/// Records a thumbnail in the image catalog (catalog.csv under Reports:OutputDirectory). It takes the resize step's
/// result as its args, so it is the second step of <see cref="ImageWorkflows.ThumbnailAndCatalog"/>.
/// </summary>
[CeleriacTask("images.catalog", Queue = "default", MaxRetries = 5)]
public sealed class CatalogImageTask(IOptions<Reports.ReportOptions> options) : ICeleriacTask<ResizedImage, CatalogEntry>
{
    public async Task<CatalogEntry> RunAsync(ResizedImage image, TaskContext context)
    {
        var directory = options.Value.OutputDirectory;
        Directory.CreateDirectory(directory);
        var catalog = Path.Combine(directory, "catalog.csv");
        var line = string.Create(CultureInfo.InvariantCulture, $"{image.Path},{image.Width},{image.Height}");
        var lines = File.Exists(catalog) ? await File.ReadAllLinesAsync(catalog, context.CancellationToken).ConfigureAwait(false) : [];
        // A redelivered step must not add the image twice.
        if (!lines.Contains(line, StringComparer.Ordinal))
        {
            await File.AppendAllLinesAsync(catalog, [line], context.CancellationToken).ConfigureAwait(false);
            lines = [.. lines, line];
        }
        return new CatalogEntry(image.Path, image.Width, image.Height, lines.Length);
    }
}
