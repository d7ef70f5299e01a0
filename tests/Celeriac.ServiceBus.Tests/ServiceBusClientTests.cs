using System.Diagnostics;
using System.Net;
using Azure.Core;
using Celeriac.ServiceBus.Client;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>The REST client on the fake: connection strings, retries on throttling, token refresh without a restart.</summary>
public sealed class ServiceBusClientTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>
{
    private readonly string _queue = fixture.NewPrefix() + "q";

    [Fact]
    public void Connection_strings_give_https_for_a_namespace_and_http_with_the_port_for_the_development_emulator()
    {
        var azure = ServiceBusConnectionString.Parse("Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc=");
        Assert.Equal(new Uri("https://shop.servicebus.windows.net/"), azure.Endpoint);
        Assert.Equal("send", azure.KeyName);
        Assert.Equal("abc=", azure.Key);
        Assert.False(azure.UseDevelopmentEmulator);

        var emulator = ServiceBusConnectionString.Parse("Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;");
        Assert.Equal(new Uri("http://localhost:5672/"), emulator.Endpoint);
        Assert.True(emulator.UseDevelopmentEmulator);

        Assert.Throws<FormatException>(() => ServiceBusConnectionString.Parse("Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b;EntityPath=orders"));
        Assert.Throws<FormatException>(() => ServiceBusConnectionString.Parse("Endpoint=sb://shop.servicebus.windows.net/"));
        Assert.Equal(new Uri("https://shop.servicebus.windows.net/"), ServiceBusConnectionString.ToHttpEndpoint("shop.servicebus.windows.net", false));
    }

    [Fact]
    public async Task Throttled_and_busy_answers_are_retried_after_the_Retry_After_the_service_asked_for()
    {
        fixture.Fake.CreateQueue(_queue);
        using var client = ServiceBusTestBrokers.Client(new ServiceBusBrokerOptions { ConnectionString = fixture.Fake.ConnectionString });
        fixture.Fake.FailNext(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1));
        fixture.Fake.FailNext(1, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1));

        var clock = Stopwatch.StartNew();
        await client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("after two refusals")], CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {clock.Elapsed}, sooner than Retry-After");
        var message = await client.PeekLockAsync(_queue, 0, CancellationToken.None);
        Assert.Equal("after two refusals", System.Text.Encoding.UTF8.GetString(message!.Body));
    }

    [Fact]
    public async Task After_its_retries_the_client_reports_the_status()
    {
        fixture.Fake.CreateQueue(_queue);
        using var client = ServiceBusTestBrokers.Client(new ServiceBusBrokerOptions { ConnectionString = fixture.Fake.ConnectionString, MaxRetries = 2 });
        fixture.Fake.FailNext(3, HttpStatusCode.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<ServiceBusException>(() => client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("x")], CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal("SendMessageBatch", error.Operation);
    }

    private sealed class ShortLivedTokens(TimeSpan lifetime) : TokenCredential
    {
        private int _issued;
        public int Issued => Volatile.Read(ref _issued);
        public string? Last { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Assert.Equal([EntraTokenProvider.Scope], requestContext.Scopes);
            Last = "token-" + Interlocked.Increment(ref _issued);
            return ValueTask.FromResult(new AccessToken(Last, DateTimeOffset.UtcNow + lifetime));
        }
    }

    [Fact]
    public async Task Entra_ID_tokens_are_refreshed_before_they_expire_and_after_a_401_without_a_restart()
    {
        fixture.Fake.CreateQueue(_queue);
        // Each token is within its refresh margin after half a second.
        var credential = new ShortLivedTokens(EntraTokenProvider.RefreshBefore + TimeSpan.FromMilliseconds(500));
        var valid = new HashSet<string>();
        fixture.Fake.AcceptBearer = token => { lock (valid) return valid.Contains(token); };
        using var http = new HttpClient();
        using var client = new ServiceBusRestClient(http, fixture.Fake.Endpoint, new ValidatingProvider(new EntraTokenProvider(credential), valid));

        await client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("1")], CancellationToken.None);
        await client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("2")], CancellationToken.None);
        Assert.Equal(1, credential.Issued);

        await Task.Delay(700);
        lock (valid) valid.Clear(); // the old token no longer works: the client must be using a new one
        await client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("3")], CancellationToken.None);
        Assert.Equal(2, credential.Issued);

        lock (valid) valid.Clear(); // revoked early: the 401 makes the client fetch another
        await client.SendBatchAsync(_queue, [new ServiceBusOutgoingMessage("4")], CancellationToken.None);
        Assert.Equal(3, credential.Issued);
        Assert.Equal((4, 0, 0), fixture.Fake.CountsOf(_queue));
    }

    /// <summary>A token becomes valid on the fake when the provider first hands it out; once cleared there, it stays invalid.</summary>
    private sealed class ValidatingProvider(EntraTokenProvider inner, HashSet<string> valid) : IServiceBusTokenProvider
    {
        private readonly HashSet<string> _seen = [];

        public async ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken)
        {
            var header = await inner.GetAuthorizationAsync(cancellationToken);
            lock (valid)
                if (_seen.Add(header)) valid.Add(header["Bearer ".Length..]);
            return header;
        }

        public void Invalidate() => inner.Invalidate();
    }
}
