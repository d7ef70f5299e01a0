using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Acme.Tasks.Email;

/// <summary>Sends through SMTP, or drops .eml files into a pickup directory when one is configured.</summary>
public sealed class SmtpMailSender(IOptions<MailOptions> options) : IMailSender
{
    public async Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var client = new SmtpClient();
        if (settings.PickupDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory;
            client.PickupDirectoryLocation = Path.GetFullPath(directory);
        }
        else
        {
            client.Host = settings.Host ?? throw new InvalidOperationException("Mail:Host is not configured (or set Mail:PickupDirectory).");
            client.Port = settings.Port;
            client.EnableSsl = settings.EnableSsl;
            if (settings.UserName is not null) client.Credentials = new NetworkCredential(settings.UserName, settings.Password);
        }
        await client.SendMailAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
