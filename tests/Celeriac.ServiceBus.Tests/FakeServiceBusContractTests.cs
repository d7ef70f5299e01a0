using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Celeriac.ServiceBus.Client;
using Celeriac.ServiceBus.Fake;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// The fake on its own, over raw HTTP, against Microsoft's REST API reference: the status codes, headers and state
/// changes each test names are the documented ones the broker relies on.
/// </summary>
public sealed class FakeServiceBusContractTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = fixture.Fake.Endpoint };
    private readonly string _queue = fixture.NewPrefix() + "q";

    private FakeServiceBus Fake => fixture.Fake;

    public void Dispose() => _http.Dispose();

    private string Sas(long? expires = null, string? key = null) =>
        SasTokenProvider.Sign(SasTokenProvider.Resource(Fake.Endpoint), FakeServiceBus.KeyName, Encoding.UTF8.GetBytes(key ?? Fake.Key),
            expires ?? DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string? authorization = null, Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? Sas());
        headers?.Invoke(request);
        return await _http.SendAsync(request);
    }

    private static StringContent Batch(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.microsoft.servicebus.json");
        return content;
    }

    private Task<HttpResponseMessage> SendOneAsync(string body, string brokerProperties = "{}", string? queue = null) =>
        SendAsync(HttpMethod.Post, $"{queue ?? _queue}/messages", new StringContent(body), headers: r =>
        {
            r.Headers.TryAddWithoutValidation("BrokerProperties", brokerProperties);
            r.Headers.TryAddWithoutValidation("Priority", "\"High\"");
        });

    private Task<HttpResponseMessage> PeekLockAsync(int timeout = 0, string? entity = null) =>
        SendAsync(HttpMethod.Post, $"{entity ?? _queue}/messages/head?timeout={timeout}");

    private static JsonElement BrokerProperties(HttpResponseMessage response) =>
        JsonDocument.Parse(response.Headers.GetValues("BrokerProperties").Single()).RootElement;

    private static string LockPath(string entity, JsonElement properties) =>
        $"{entity}/messages/{properties.GetProperty("SequenceNumber").GetInt64()}/{properties.GetProperty("LockToken").GetString()}";

    [Fact]
    public async Task Requests_without_a_valid_SAS_token_are_refused_with_401()
    {
        Fake.CreateQueue(_queue);
        using var none = await _http.PostAsync($"{_queue}/messages", new StringContent("x"));
        using var wrongKey = await SendAsync(HttpMethod.Post, $"{_queue}/messages", new StringContent("x"), Sas(key: "not the key"));
        using var expired = await SendAsync(HttpMethod.Post, $"{_queue}/messages", new StringContent("x"), Sas(expires: DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()));
        using var bearer = await SendAsync(HttpMethod.Post, $"{_queue}/messages", new StringContent("x"), "Bearer unknown");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
    }

    [Fact]
    public async Task Send_and_peek_lock_on_a_missing_queue_answer_410_Gone()
    {
        using var send = await SendOneAsync("x", queue: "nowhere-" + Guid.NewGuid().ToString("N"));
        using var receive = await PeekLockAsync(entity: "nowhere-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(HttpStatusCode.Gone, send.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, receive.StatusCode);
    }

    [Fact]
    public async Task Peek_lock_returns_201_with_the_body_BrokerProperties_Location_and_custom_properties_then_204_when_empty()
    {
        Fake.CreateQueue(_queue);
        using (var sent = await SendOneAsync("hello", """{"MessageId":"task-1","TimeToLive":600}""")) Assert.Equal(HttpStatusCode.Created, sent.StatusCode);

        using var locked = await PeekLockAsync();
        Assert.Equal(HttpStatusCode.Created, locked.StatusCode);
        Assert.Equal("hello", await locked.Content.ReadAsStringAsync());
        var properties = BrokerProperties(locked);
        Assert.Equal("task-1", properties.GetProperty("MessageId").GetString());
        Assert.Equal(1, properties.GetProperty("DeliveryCount").GetInt32());
        Assert.True(properties.GetProperty("SequenceNumber").GetInt64() > 0);
        Assert.True(Guid.TryParse(properties.GetProperty("LockToken").GetString(), out _));
        Assert.NotNull(BrokerPropertiesJson.ParseTime(properties.GetProperty("LockedUntilUtc").GetString()));
        Assert.EndsWith(LockPath(_queue, properties), locked.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("\"High\"", locked.Headers.GetValues("Priority").Single());

        using var empty = await PeekLockAsync();
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
    }

    [Fact]
    public async Task An_expired_lock_makes_the_message_available_again_with_a_higher_delivery_count_and_the_old_lock_is_404()
    {
        Fake.CreateQueue(_queue, new FakeQueueSettings { LockDuration = TimeSpan.FromSeconds(1) });
        using (await SendOneAsync("again")) { }
        using var first = await PeekLockAsync();
        var firstProperties = BrokerProperties(first);
        using (var hidden = await PeekLockAsync()) Assert.Equal(HttpStatusCode.NoContent, hidden.StatusCode);

        using var second = await PeekLockAsync(timeout: 10);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(2, BrokerProperties(second).GetProperty("DeliveryCount").GetInt32());

        using var stale = await SendAsync(HttpMethod.Delete, LockPath(_queue, firstProperties));
        Assert.Equal(HttpStatusCode.NotFound, stale.StatusCode);
        using var complete = await SendAsync(HttpMethod.Delete, LockPath(_queue, BrokerProperties(second)));
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal((0, 0, 0), Fake.CountsOf(_queue));
    }

    [Fact]
    public async Task Unlock_releases_at_once_and_renew_lock_keeps_the_message_past_its_first_lock()
    {
        // Three seconds: each round below (a renew, a peek-lock, a pause) must fit in one lock on a loaded machine.
        Fake.CreateQueue(_queue, new FakeQueueSettings { LockDuration = TimeSpan.FromSeconds(3) });
        using (await SendOneAsync("m")) { }
        using var first = await PeekLockAsync();
        using (var unlock = await SendAsync(HttpMethod.Put, LockPath(_queue, BrokerProperties(first)), new ByteArrayContent([]))) Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);

        using var second = await PeekLockAsync();
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var path = LockPath(_queue, BrokerProperties(second));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(7))
        {
            using (var renew = await SendAsync(HttpMethod.Post, path, new ByteArrayContent([]))) Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
            using (var hidden = await PeekLockAsync()) Assert.Equal(HttpStatusCode.NoContent, hidden.StatusCode);
            await Task.Delay(1000);
        }
        using var complete = await SendAsync(HttpMethod.Delete, path);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
    }

    [Fact]
    public async Task A_scheduled_message_is_counted_as_scheduled_and_not_received_before_its_time()
    {
        Fake.CreateQueue(_queue);
        var at = BrokerPropertiesJson.CeilingToSecond(DateTimeOffset.UtcNow.AddSeconds(2));
        using (await SendAsync(HttpMethod.Post, $"{_queue}/messages", Batch($$$"""[{"Body":"later","BrokerProperties":{"ScheduledEnqueueTimeUtc":"{{{BrokerPropertiesJson.Time(at)}}}"}}]"""))) { }

        Assert.Equal((0, 1, 0), Fake.CountsOf(_queue));
        using (var early = await PeekLockAsync()) Assert.Equal(HttpStatusCode.NoContent, early.StatusCode);
        using var due = await PeekLockAsync(timeout: 10);
        Assert.Equal(HttpStatusCode.Created, due.StatusCode);
        Assert.True(DateTimeOffset.UtcNow >= at.AddMilliseconds(-20), "received before its ScheduledEnqueueTimeUtc");
    }

    [Fact]
    public async Task Past_MaxDeliveryCount_the_message_moves_to_the_dead_letter_subqueue_with_its_reason()
    {
        Fake.CreateQueue(_queue, new FakeQueueSettings { MaxDeliveryCount = 2 });
        using (await SendOneAsync("poison", """{"MessageId":"p1"}""")) { }
        for (var i = 0; i < 2; i++)
        {
            using var locked = await PeekLockAsync();
            using (await SendAsync(HttpMethod.Put, LockPath(_queue, BrokerProperties(locked)), new ByteArrayContent([]))) { }
        }

        Assert.Equal((0, 0, 0), Fake.CountsOf(_queue));
        using var dead = await PeekLockAsync(entity: _queue + "/$DeadLetterQueue");
        Assert.Equal(HttpStatusCode.Created, dead.StatusCode);
        Assert.Equal("poison", await dead.Content.ReadAsStringAsync());
        Assert.Equal("\"MaxDeliveryCountExceeded\"", dead.Headers.GetValues("DeadLetterReason").Single());
        using var description = await SendAsync(HttpMethod.Get, $"{_queue}?api-version=2021-05");
        Assert.Equal(1, AtomQueueXml.ParseEntry(await description.Content.ReadAsStringAsync())!.DeadLetterMessageCount);
    }

    [Fact]
    public async Task Duplicate_detection_drops_a_message_id_seen_within_the_window_and_TimeToLive_drops_expired_messages()
    {
        Fake.CreateQueue(_queue, new FakeQueueSettings { RequiresDuplicateDetection = true });
        using (await SendAsync(HttpMethod.Post, $"{_queue}/messages", Batch("""[{"Body":"a","BrokerProperties":{"MessageId":"same"}},{"Body":"b","BrokerProperties":{"MessageId":"same"}},{"Body":"short","BrokerProperties":{"MessageId":"ttl","TimeToLive":1}}]"""))) { }
        Assert.Equal((2, 0, 0), Fake.CountsOf(_queue));

        await Task.Delay(1200);
        Assert.Equal((1, 0, 0), Fake.CountsOf(_queue));
        using var only = await PeekLockAsync();
        Assert.Equal("a", await only.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_long_poll_waits_for_a_message_and_answers_204_when_its_timeout_is_over()
    {
        Fake.CreateQueue(_queue);
        var clock = Stopwatch.StartNew();
        using (var timedOut = await PeekLockAsync(timeout: 1)) Assert.Equal(HttpStatusCode.NoContent, timedOut.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));

        var waiting = PeekLockAsync(timeout: 20);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        using (await SendOneAsync("wake")) { }
        using var woken = await waiting;
        Assert.Equal(HttpStatusCode.Created, woken.StatusCode);
    }

    [Fact]
    public async Task Queues_are_managed_as_Atom_entries()
    {
        using (var missing = await SendAsync(HttpMethod.Get, $"{_queue}?api-version=2021-05"))
        {
            Assert.Equal(HttpStatusCode.OK, missing.StatusCode);
            Assert.Equal("feed", XDocument.Parse(await missing.Content.ReadAsStringAsync()).Root!.Name.LocalName);
        }
        var entry = AtomQueueXml.CreateEntry(new ServiceBusQueueSettings { LockDuration = TimeSpan.FromSeconds(45), MaxDeliveryCount = 7 });
        StringContent Atom() => new(entry, Encoding.UTF8, "application/atom+xml");
        using (var created = await SendAsync(HttpMethod.Put, $"{_queue}?api-version=2021-05", Atom())) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var again = await SendAsync(HttpMethod.Put, $"{_queue}?api-version=2021-05", Atom())) Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (await SendOneAsync("one")) { }

        using var description = await SendAsync(HttpMethod.Get, $"{_queue}?api-version=2021-05");
        var info = AtomQueueXml.ParseEntry(await description.Content.ReadAsStringAsync())!;
        Assert.Equal(TimeSpan.FromSeconds(45), info.LockDuration);
        Assert.Equal(7, info.MaxDeliveryCount);
        Assert.Equal(1, info.ActiveMessageCount);
        Assert.Equal(1, info.MessageCount);

        using var list = await SendAsync(HttpMethod.Get, "$Resources/Queues?api-version=2021-05&$skip=0&$top=100");
        Assert.Contains(_queue, AtomQueueXml.ParseFeedTitles(await list.Content.ReadAsStringAsync()));
        using (var deleted = await SendAsync(HttpMethod.Delete, $"{_queue}?api-version=2021-05")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var gone = await SendAsync(HttpMethod.Delete, $"{_queue}?api-version=2021-05")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
