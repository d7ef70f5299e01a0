using Celeriac.Tasks;

namespace Acme.Tasks.Images;

public sealed record ResizeImage(string Source, string Target, int MaxWidth, int MaxHeight);

public sealed record ResizedImage(string Path, int Width, int Height);

/// <summary>Makes a thumbnail. CPU-bound, so it has its own queue and a pool sized for it; a broken file is dead-lettered, not retried.</summary>
[CeleriacTask("images.resize", Queue = "images", MaxRetries = 2, SoftTimeLimitSeconds = 60, HardTimeLimitSeconds = 120)]
public sealed class ResizeImageTask : ICeleriacTask<ResizeImage, ResizedImage>
{
    public async Task<ResizedImage> RunAsync(ResizeImage args, TaskContext context)
    {
        Pixmap source;
        await using (var input = File.OpenRead(args.Source)) source = Pixmap.Read(input);
        context.CancellationToken.ThrowIfCancellationRequested();
        var resized = source.FitWithin(args.MaxWidth, args.MaxHeight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args.Target))!);
        // Write then rename, so a reader (or a retry) never sees half an image.
        var partial = args.Target + ".partial";
        await using (var output = File.Create(partial)) resized.Write(output);
        File.Move(partial, args.Target, overwrite: true);
        return new ResizedImage(args.Target, resized.Width, resized.Height);
    }
}
