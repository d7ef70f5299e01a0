using System.Text;
using StackExchange.Redis;

namespace Celeriac.Redis.Tests;

/// <summary>
/// Bad input written straight into Redis through the key layout that docs/redis.md publishes, between good tasks, with a
/// real worker process: the shared bodies, and what only this layout carries — stream entries with a missing, repeated or
/// mis-named body field (a name of invalid UTF-8, a thousand fields), delivery counts that are not counts (invalid UTF-8
/// included), extra fields, binary and multi-megabyte values, an id far ahead; members of the delayed set with malformed
/// or non-UTF-8 names, no body or a due time past any calendar; members of the lease set that are not stream ids or lease
/// entries nobody received.
/// </summary>
public sealed class RedisMalformedInputTests(RedisServerFixture redis) : MalformedInputTests, IClassFixture<RedisServerFixture>, IDisposable
{
    private const int Large = 4 * 1024 * 1024;
    private readonly Lazy<ConnectionMultiplexer> _raw = new(() => ConnectionMultiplexer.Connect(redis.Server.ConnectionString));
    private RedisScenario? _scenario;

    protected override WorkerProcessScenario NewScenario() => _scenario = new RedisScenario(redis.NewOptions());

    private IDatabase Db => _raw.Value.GetDatabase();

    /// <summary>A key of <see cref="MalformedInputTests.Queue"/> as docs/redis.md names it: <c>P:{q}:part</c>.</summary>
    private RedisKey Key(string part) => $"{_scenario!.Options.KeyPrefix}:{{{Queue}}}:{part}";

    /// <summary>XADD with exactly these fields (names and values as given, repeats included); returns the entry's id.</summary>
    private async Task<string> AddAsync(params object[] fields) => await AddWithIdAsync("*", fields);

    private async Task<string> AddWithIdAsync(string id, params object[] fields) =>
        (string)(await Db.ExecuteAsync("XADD", [Key("stream"), id, .. fields]))!;

    /// <summary>A member of the delayed set due at <paramref name="score"/> (a number, or "-inf"/"+inf"), with its body unless null.</summary>
    private Task DelayAsync(string member, string score, byte[]? body) => DelayAsync(Encoding.UTF8.GetBytes(member), score, body);

    private async Task DelayAsync(byte[] member, string score, byte[]? body)
    {
        await Db.ExecuteAsync("ZADD", Key("delayed"), score, member);
        if (body is not null) await Db.HashSetAsync(Key("bodies"), member, body);
    }

    private async Task LeaseAsync(string member) => await Db.ExecuteAsync("ZADD", Key("leases"), 0, member);

    protected override IEnumerable<RawEntry> TransportEntries(WorkerProcessScenario scenario) =>
    [
        // The stream: field b is the body, d the deliveries before this entry.
        new("a stream entry without the body field", () => AddAsync("d", "0")) { Reason = "has no body field 'b'" },
        new("a stream entry with unknown fields only", () => AddAsync("body", GoodBody("redis-body-named-body"), "x", "y")) { Reason = "has no body field 'b'" },
        new("a body field in capitals", () => AddAsync("B", GoodBody("redis-capital-b"))) { Reason = "has no body field 'b'" },
        new("two body fields", () => AddAsync("b", GoodBody("redis-two-1"), "b", GoodBody("redis-two-2"))) { Reason = "has 2 body fields 'b'" },
        new("a delivery count that is a word", () => AddAsync("b", GoodBody("redis-d-word"), "d", "many")) { RunsAs = "redis-d-word" },
        new("a huge delivery count", () => AddAsync("b", GoodBody("redis-d-huge"), "d", "99999999999999999999999999999")) { RunsAs = "redis-d-huge" },
        new("a negative delivery count", () => AddAsync("b", GoodBody("redis-d-negative"), "d", "-5")) { RunsAs = "redis-d-negative" },
        new("a delivery count past any number", () => AddAsync("b", GoodBody("redis-d-inf"), "d", "1e400")) { RunsAs = "redis-d-inf" },
        new("a delivery count that is not a number", () => AddAsync("b", GoodBody("redis-d-nan"), "d", "nan")) { RunsAs = "redis-d-nan" },
        new("two delivery counts", () => AddAsync("d", "1", "b", GoodBody("redis-d-two"), "d", "x")) { RunsAs = "redis-d-two" },
        new("extra unknown fields", () => AddAsync("b", GoodBody("redis-extra"), "x", "1", "priority", "9", "c", "")) { RunsAs = "redis-extra" },
        new("an empty field name", () => AddAsync("", "", "b", GoodBody("redis-empty-name"))) { RunsAs = "redis-empty-name" },
        new("a binary body with NUL bytes", () => AddAsync("b", new byte[] { 0, 0xff, 0x7b, 0, 0x7d })) { Reason = "unparseable envelope" },
        new("a 4 MB body that is not an envelope", () => AddAsync("b", new string('x', Large))) { Reason = "unparseable envelope" },
        new("a 4 MB good entry", () => AddAsync("b", GoodBody("redis-large", $$""","pad":"{{new string('p', Large)}}" """), "pad", new string('q', Large))) { RunsAs = "redis-large" },
        new("a 4 MB entry without a body", () => AddAsync("x", new string('x', Large))) { Reason = "has no body field 'b'" },
        new("a field name of invalid UTF-8 and no body", () => AddAsync(new byte[] { 0xff, 0xfe, 0x62 }, "x")) { Reason = "has no body field 'b'" },
        new("a thousand fields and no body", () => AddAsync([.. Enumerable.Range(0, 1000).SelectMany(i => new object[] { $"f{i}", i })])) { Reason = "has no body field 'b'" },
        new("a delivery count of invalid UTF-8", () => AddAsync("b", GoodBody("redis-d-utf8"), "d", new byte[] { 0xc3, 0x28 })) { RunsAs = "redis-d-utf8" },
        new("a delivery count of nine nines", () => AddAsync("b", GoodBody("redis-d-nines"), "d", "999999999")) { RunsAs = "redis-d-nines" },
        new("an entry with an id far ahead", () => AddWithIdAsync("9999999999999-0", "b", GoodBody("redis-far-id"))) { RunsAs = "redis-far-id" },

        // The delayed set: member "seq:deliveries" scored by the due time in ms, its body in the bodies hash.
        new("a delayed member without a colon", () => DelayAsync("nocolon", "0", GoodBody("redis-m-nocolon"))) { RunsAs = "redis-m-nocolon" },
        new("a delayed member with a word for deliveries", () => DelayAsync("7:many", "0", GoodBody("redis-m-word"))) { RunsAs = "redis-m-word" },
        new("a delayed member with a huge delivery count", () => DelayAsync("8:99999999999999999999999", "0", GoodBody("redis-m-huge"))) { RunsAs = "redis-m-huge" },
        new("an empty delayed member", () => DelayAsync("", "0", GoodBody("redis-m-empty"))) { RunsAs = "redis-m-empty" },
        new("a delayed member due at minus infinity", () => DelayAsync("9:0", "-inf", GoodBody("redis-m-minus-inf"))) { RunsAs = "redis-m-minus-inf" },
        new("a delayed member without a body", () => DelayAsync("10:0", "0", null)) { Reason = "has no body in" },
        new("a delayed member of invalid UTF-8 without a body", () => DelayAsync([0x31, 0x34, 0x3a, 0xff], "0", null)) { Reason = "has no body in" },
        new("a delayed member whose body is not an envelope", () => DelayAsync("11:0", "0", Encoding.UTF8.GetBytes("junk"))) { Reason = "unparseable envelope" },
        new("a delayed member due at infinity", () => DelayAsync("12:0", "+inf", GoodBody("redis-m-inf"))) { Reason = "is due after the year 9999" },
        new("a delayed member due in the year 20000", () => DelayAsync("13:0", "568971820800000", GoodBody("redis-m-far"))) { Reason = "is due after the year 9999" },

        // The lease set: stream id scored by the lease deadline. None of these is a message; none may stop a receive.
        new("an expired lease member that is not a stream id", () => LeaseAsync("not-an-id")),
        new("an expired lease member whose id overflows", () => LeaseAsync("99999999999999999999-0")),
        new("an expired lease on an entry that does not exist", () => LeaseAsync("1-1")),
        new("an expired lease on an entry never delivered", async () => await LeaseAsync(await AddAsync("b", GoodBody("redis-leased-new")))) { RunsAs = "redis-leased-new" },
    ];

    public void Dispose()
    {
        if (_raw.IsValueCreated) _raw.Value.Dispose();
    }
}
