using Acme.Tasks.Email;
using Acme.Tasks.Images;
using Acme.Tasks.Reports;
using Celeriac.Hosting;
using Celeriac.Locks;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Tasks;

/// <summary>The worker host runs this when it loads the assembly (<c>--tasks Acme.Tasks.dll</c>): tasks and their services.</summary>
public sealed class AcmeModule : ICeleriacModule
{
    public void Configure(CeleriacBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section);
        builder.Services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section);
        builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
        // A malformed address will not get better on a retry.
        builder.AddTask<SendEmailTask>(o => o.DoNotRetryOn<FormatException>());
        builder.AddTask<ResizeImageTask>(o => o.DoNotRetryOn<InvalidDataException>());
        builder.AddTask<CatalogImageTask>();
        // Task name + args is the lock key: two runs for the same date never overlap.
        builder.AddTask<NightlyReportTask>(o => o.Lock = TaskLockMode.Wait);
    }
}
