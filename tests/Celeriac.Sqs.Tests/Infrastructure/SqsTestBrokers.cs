using Amazon.SQS;
using Celeriac.Cli;
using Celeriac.Testing.Sqs;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>Brokers and SDK clients on an emulator, with the settings every test uses.</summary>
public static class SqsTestBrokers
{
    public static SqsBrokerOptions Options(SqsEmulator emulator, string prefix) => new()
    {
        QueueUrlPrefix = prefix,
        Endpoint = emulator.Endpoint,
        Region = "us-east-1",
        AccessKeyId = "test",
        SecretAccessKey = "test",
        AutoCreateQueues = true,
    };

    /// <param name="inner">Under the emulator's quirks handler: a <see cref="SqsRequestCounter"/> to count what the SDK sends.</param>
    public static IAmazonSQS Client(SqsBrokerOptions options, HttpMessageHandler? inner = null) => EmulatorSqs.Client(options, inner);

    public static SqsBroker Broker(SqsBrokerOptions options, HttpMessageHandler? inner = null) => new(Client(options, inner), options);

    /// <summary>
    /// Runs the <c>celeriac</c> CLI in process against the queues under <paramref name="prefix"/> (and a store given as a
    /// pod's environment), configured as through the environment.
    /// </summary>
    public static async Task<(int Code, string Out, string Err)> RunCliAsync(SqsEmulator emulator, string prefix,
        IReadOnlyDictionary<string, string> store, string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = prefix,
            ["Celeriac:Broker:Sqs:AutoCreateQueues"] = "true",
            ["Celeriac:Broker:Sqs:Endpoint"] = emulator.Endpoint,
            ["Celeriac:Broker:Sqs:Region"] = "us-east-1",
            ["Celeriac:Broker:Sqs:AccessKeyId"] = "test",
            ["Celeriac:Broker:Sqs:SecretAccessKey"] = "test",
            ["Celeriac:Queues:0:Name"] = "default",
        };
        foreach (var (name, value) in store) settings[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.InvokeAsync(["--broker", "sqs", .. args], output, error, settings);
        return (code, output.ToString(), error.ToString());
    }
}
