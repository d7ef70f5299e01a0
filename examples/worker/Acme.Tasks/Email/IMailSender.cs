using System.Net.Mail;

namespace Acme.Tasks.Email;

public interface IMailSender
{
    Task SendAsync(MailMessage message, CancellationToken cancellationToken);
}
