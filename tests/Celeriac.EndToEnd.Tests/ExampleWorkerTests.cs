using System.Text;
using Acme.Tasks;
using Acme.Tasks.Images;
using Acme.Tasks.Reports;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Sqlite;
using Celeriac.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>examples/worker's task assembly, loaded by a real celeriac-worker process as its image does.</summary>
public sealed class ExampleWorkerTests
{
    [Fact]
    public async Task The_example_tasks_send_mail_resize_images_and_write_the_nightly_report()
    {
        await using var scenario = new Scenario();
        var mail = Path.Combine(scenario.Directory, "mail");
        var orders = Directory.CreateDirectory(Path.Combine(scenario.Directory, "orders")).FullName;
        var reports = Path.Combine(scenario.Directory, "reports");
        await File.WriteAllTextAsync(Path.Combine(orders, "a.csv"), "2026-11-20,acme,10.50\n2026-11-20,globex,3\n2026-11-19,acme,99\n");
        await File.WriteAllTextAsync(Path.Combine(orders, "b.csv"), "2026-11-20,acme,1.25\nnot,a,number\n");
        var photo = Path.Combine(scenario.Directory, "photo.ppm");
        await using (var file = File.Create(photo)) Gradient(400, 200).Write(file);

        await using var worker = LocalWorkerProcess.Start(
            ["--tasks", typeof(AcmeModule).Assembly.Location, "--db", scenario.BrokerPath, "--queues", "default,images,bulk", "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string>
            {
                ["Mail__PickupDirectory"] = mail,
                ["Reports__InputDirectory"] = orders,
                ["Reports__OutputDirectory"] = reports,
            });

        await using var services = Producer(scenario.BrokerPath);
        var client = services.GetRequiredService<ITaskClient>();
        var control = services.GetRequiredService<TaskControl>();
        var email = await client.EnqueueAsync("emails.send", new { to = "ada@example.com", subject = "Your invoice", body = "Attached." });
        var badEmail = await client.EnqueueAsync("emails.send", new { to = "not an address", subject = "x", body = "y" });
        var resize = await client.EnqueueAsync("images.resize", new { source = photo, target = Path.Combine(scenario.Directory, "thumbs", "photo.ppm"), maxWidth = 100, maxHeight = 100 });
        var report = await client.EnqueueAsync("reports.nightly", new { date = "2026-11-20" });

        var resized = await control.Handle(resize).GetResultAsync<ResizedImage>(TimeSpan.FromSeconds(60));
        Assert.Equal((100, 50), (resized!.Width, resized.Height));
        using (var thumbnail = File.OpenRead(resized.Path))
        {
            var pixels = Pixmap.Read(thumbnail);
            Assert.Equal((100, 50), (pixels.Width, pixels.Height));
            // Each thumbnail pixel averages a 4x4 block of the horizontal gradient: red rises left to right.
            Assert.InRange(pixels.Rgb[0], 0, 8);
            Assert.InRange(pixels.Rgb[(99) * 3], 245, 255);
        }

        var summary = await control.Handle(report).GetResultAsync<ReportSummary>(TimeSpan.FromSeconds(60));
        Assert.Equal((2, 3, 14.75m), (summary!.Customers, summary.Orders, summary.Total));
        Assert.Equal("customer,orders,total\nacme,2,11.75\nglobex,1,3.00\n", await File.ReadAllTextAsync(Path.Combine(reports, "report-2026-11-20.csv")));

        Assert.True(await Eventually.Reached(() => Directory.Exists(mail) && Directory.GetFiles(mail, "*.eml").Length == 1, TimeSpan.FromSeconds(60)), worker.Output);
        var sent = await File.ReadAllTextAsync(Directory.GetFiles(mail, "*.eml").Single());
        Assert.Contains("To: ada@example.com", sent, StringComparison.Ordinal);
        Assert.Contains("Subject: Your invoice", sent, StringComparison.Ordinal);
        Assert.Contains($"Message-ID: <{email}@celeriac>", sent, StringComparison.Ordinal);

        // The chain: resize, then the catalog step receives the resize result as its args.
        var workflows = services.GetRequiredService<WorkflowClient>();
        var chain = await workflows.StartAsync(ImageWorkflows.ThumbnailAndCatalog(photo, Path.Combine(scenario.Directory, "thumbs", "small.ppm"), 40, 40));
        var entry = await chain.GetResultAsync<CatalogEntry>(TimeSpan.FromSeconds(60));
        Assert.Equal((40, 20, 1), (entry!.Width, entry.Height, entry.Entries));
        Assert.Equal($"{Path.Combine(scenario.Directory, "thumbs", "small.ppm")},40,20\n", await File.ReadAllTextAsync(Path.Combine(reports, "catalog.csv")));

        // The malformed address is dead-lettered on its first attempt (FormatException is not retried).
        Assert.True(await Eventually.Reached(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 1, TimeSpan.FromSeconds(60)));
        var dead = (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Single();
        Assert.Contains(badEmail, Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);
        Assert.Contains("FormatException", dead.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("\"attempt\":1", Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);
    }

    private static ServiceProvider Producer(string brokerPath)
    {
        var configuration = new ConfigurationBuilder().Build();
        return new ServiceCollection().AddLogging()
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(AcmeModule).Assembly).UseSqliteBroker(o => o.Path = brokerPath))
            .BuildServiceProvider();
    }

    private static Pixmap Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                rgb[(y * width + x) * 3] = (byte)(x * 255 / (width - 1));
        return new Pixmap(width, height, rgb);
    }
}
