using System.Net.Mail;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Acme.Tasks.Email;

public sealed record SendEmail(string To, string Subject, string Body);

/// <summary>
/// Sends one email. Retried with backoff when the SMTP server is unavailable; a malformed address is
/// dead-lettered at once. The message id header is the task id, so a redelivered task is recognisable downstream.
/// </summary>
[CeleriacTask("emails.send", Queue = "default", MaxRetries = 5, RetryBackoffSeconds = 10, SoftTimeLimitSeconds = 30, HardTimeLimitSeconds = 60)]
public sealed class SendEmailTask(IMailSender sender, IOptions<MailOptions> options) : ICeleriacTask<SendEmail>
{
    public async Task RunAsync(SendEmail args, TaskContext context)
    {
        using var message = new MailMessage(options.Value.From, args.To, args.Subject, args.Body);
        message.Headers.Add("Message-ID", $"<{context.TaskId}@celeriac>");
        await sender.SendAsync(message, context.CancellationToken).ConfigureAwait(false);
    }
}
