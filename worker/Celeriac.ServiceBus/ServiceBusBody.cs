using System.Text;

namespace Celeriac.ServiceBus;

/// <summary>Bodies travel as text when they are valid UTF-8 (JSON envelopes), otherwise as base64 with a property that says so.</summary>
internal static class ServiceBusBody
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static (string Text, bool Base64) Encode(ReadOnlySpan<byte> body)
    {
        try
        {
            var text = Strict.GetString(body);
            if (!text.Contains('\0', StringComparison.Ordinal)) return (text, false);
        }
        catch (DecoderFallbackException)
        {
        }
        return (Convert.ToBase64String(body), true);
    }

    public static byte[] Decode(byte[] body, bool base64) => base64 ? Convert.FromBase64String(Encoding.ASCII.GetString(body)) : body;
}
