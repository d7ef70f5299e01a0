using System.Text;

namespace Celeriac.Sqs;

/// <summary>
/// Bodies travel as text when they are UTF-8 made of the characters SQS accepts (JSON envelopes: readable in the
/// console, interoperable), otherwise as base64 with an attribute that says so.
/// </summary>
internal static class SqsBody
{
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

    public static byte[] Decode(string text, bool base64) => base64 ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);

    /// <summary>#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (surrogate pairs are whole, the decoder checked).</summary>
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
