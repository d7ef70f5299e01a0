using System.Globalization;
using System.Text;

namespace Acme.Tasks.Images;

/// <summary>
/// An 8-bit RGB image in the binary PPM format (P6). The example keeps to PPM so that it needs no image library (and
/// no native one); a real project would use SkiaSharp or ImageSharp and the task would not change.
/// </summary>
public sealed class Pixmap(int width, int height, byte[] rgb)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Rgb { get; } = rgb;

    public static Pixmap Read(Stream stream)
    {
        if (Token(stream) != "P6") throw new InvalidDataException("not a binary PPM (P6) image");
        var width = Number(stream);
        var height = Number(stream);
        if (Number(stream) != 255) throw new InvalidDataException("only 8-bit PPM images are supported");
        if (width <= 0 || height <= 0 || (long)width * height > 100_000_000) throw new InvalidDataException($"unsupported image size {width}x{height}");
        var rgb = new byte[width * height * 3];
        stream.ReadExactly(rgb);
        return new Pixmap(width, height, rgb);
    }

    public void Write(Stream stream)
    {
        stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P6\n{Width} {Height}\n255\n")));
        stream.Write(Rgb);
    }

    /// <summary>Shrinks to fit <paramref name="maxWidth"/> x <paramref name="maxHeight"/>, keeping the aspect ratio; each target pixel averages its source area.</summary>
    public Pixmap FitWithin(int maxWidth, int maxHeight)
    {
        var scale = Math.Min(1.0, Math.Min((double)maxWidth / Width, (double)maxHeight / Height));
        var width = Math.Max(1, (int)Math.Round(Width * scale));
        var height = Math.Max(1, (int)Math.Round(Height * scale));
        if (width == Width && height == Height) return this;
        var target = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            int y0 = y * Height / height, y1 = Math.Max(y0 + 1, (y + 1) * Height / height);
            for (var x = 0; x < width; x++)
            {
                int x0 = x * Width / width, x1 = Math.Max(x0 + 1, (x + 1) * Width / width);
                int r = 0, g = 0, b = 0;
                for (var sy = y0; sy < y1; sy++)
                {
                    for (var sx = x0; sx < x1; sx++)
                    {
                        var i = (sy * Width + sx) * 3;
                        r += Rgb[i];
                        g += Rgb[i + 1];
                        b += Rgb[i + 2];
                    }
                }
                var n = (y1 - y0) * (x1 - x0);
                var t = (y * width + x) * 3;
                target[t] = (byte)(r / n);
                target[t + 1] = (byte)(g / n);
                target[t + 2] = (byte)(b / n);
            }
        }
        return new Pixmap(width, height, target);
    }

    private static string Token(Stream stream)
    {
        var token = new StringBuilder();
        while (true)
        {
            var c = stream.ReadByte();
            if (c < 0) throw new InvalidDataException("truncated PPM header");
            if (c == '#') { while (c is not ('\n' or -1)) c = stream.ReadByte(); continue; }
            if (char.IsWhiteSpace((char)c)) { if (token.Length > 0) return token.ToString(); continue; }
            token.Append((char)c);
            if (token.Length > 16) throw new InvalidDataException("malformed PPM header");
        }
    }

    private static int Number(Stream stream) =>
        int.TryParse(Token(stream), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new InvalidDataException("malformed PPM header");
}
