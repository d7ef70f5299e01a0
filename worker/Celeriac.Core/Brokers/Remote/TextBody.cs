using System.Text;

namespace Celeriac.Brokers.Remote;

/// <summary>
/// Bodies for services that carry text: UTF-8 made only of characters the service accepts (JSON envelopes: readable in
/// consoles, interoperable) travels as is, anything else as base64 with <see cref="RemoteAttributes.Encoding"/> set.
/// </summary>
public static class TextBody
{
    public const string Base64 = "base64";

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static (string Text, bool Base64) Encode(ReadOnlySpan<byte> body)
    {
        try
        {
            var text = Strict.GetString(body);
            if (IsAllowed(text)) return (text, false);
        }
        catch (DecoderFallbackException)
        {
        }
        return (Convert.ToBase64String(body), true);
    }

    /// <summary>The bytes of a received body; false when it says base64 but is not (a foreign or damaged message).</summary>
    public static bool TryDecode(string text, string? encoding, out byte[] body)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (encoding != Base64)
        {
            body = Encoding.UTF8.GetBytes(text);
            return true;
        }
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            body = buffer[..written];
            return true;
        }
        body = [];
        return false;
    }

    /// <summary>The characters XML 1.0 allows (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF), which SQS requires; the decoder has checked surrogate pairs.</summary>
    private static bool IsAllowed(string text)
    {
        foreach (var c in text)
        {
            if (c is '\t' or '\n' or '\r') continue;
            if (c < ' ' || c is '\uFFFE' or '\uFFFF') return false;
        }
        return true;
    }
}
