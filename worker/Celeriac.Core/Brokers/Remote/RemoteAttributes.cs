using System.Globalization;

namespace Celeriac.Brokers.Remote;

/// <summary>
/// The attributes (SQS message attributes, Service Bus application properties) that Celeriac's brokers set on remote
/// messages, and how they are read back: one spelling for every transport.
/// </summary>
public static class RemoteAttributes
{
    /// <summary>Unix milliseconds before which the message must not run (a countdown beyond the service's own delay limit).</summary>
    public const string NotBefore = "celeriac-not-before";

    /// <summary>"base64" when the body bytes were not text the service accepts (<see cref="TextBody"/>).</summary>
    public const string Encoding = "celeriac-encoding";

    /// <summary>Deliveries before a copy was made (a release re-sent with a delay); added to the service's count of the copy.</summary>
    public const string Deliveries = "celeriac-deliveries";

    /// <summary>On a dead letter: why it was dead-lettered.</summary>
    public const string Reason = "celeriac-reason";

    /// <summary>On a dead letter: the Celeriac queue it came from.</summary>
    public const string SourceQueue = "celeriac-source-queue";

    /// <summary>On a dead letter: Unix milliseconds of dead-lettering.</summary>
    public const string DeadLetteredAt = "celeriac-dead-lettered-at";

    /// <summary>On a dead letter whose body had to be cut to fit the service's size limit: the body's size before, in bytes.</summary>
    public const string TruncatedFrom = "celeriac-truncated-from";

    /// <summary>The source-queue name releases up to 0.1 wrote on SQS; still read so that their dead letters keep their queue.</summary>
    private const string LegacySourceQueue = "celeriac-queue";

    /// <summary>A dead letter's reason is cut to this many characters, so that a long exception text never makes the copy too large.</summary>
    public const int MaxReasonLength = 4096;

    /// <summary>How many times the logical message was delivered: the service's count of this copy plus the deliveries before it.</summary>
    public static int DeliveryCount(int serviceCount, Func<string, string?> attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        var earlier = int.TryParse(attribute(Deliveries), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return Math.Max(1, serviceCount + earlier);
    }

    /// <summary>The due time a message carries, when it carries a valid one.</summary>
    public static DateTimeOffset? DueTime(Func<string, string?> attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return UnixMilliseconds(attribute(NotBefore));
    }

    public static string FormatTime(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>What a release's delayed copy carries besides the body: the deliveries so far.</summary>
    public static Dictionary<string, string> ForRelease(int deliveryCount) =>
        new(StringComparer.Ordinal) { [Deliveries] = deliveryCount.ToString(CultureInfo.InvariantCulture) };

    /// <summary>What a dead letter carries besides the body: the reason, the source queue and when.</summary>
    public static Dictionary<string, string> ForDeadLetter(string sourceQueue, string reason, DateTimeOffset at) => new(StringComparer.Ordinal)
    {
        [Reason] = Truncate(reason.Length == 0 ? "dead-lettered" : reason, MaxReasonLength),
        [SourceQueue] = sourceQueue,
        [DeadLetteredAt] = FormatTime(at),
    };

    /// <summary>Reads a dead letter written by <see cref="ForDeadLetter"/>; a message without the attributes (moved by the service itself) gets the fallbacks.</summary>
    public static DeadLetter ReadDeadLetter(string id, ReadOnlyMemory<byte> body, Func<string, string?> attribute, string fallbackReason, DateTimeOffset fallbackTime)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        var reason = attribute(Reason) ?? fallbackReason;
        if (attribute(TruncatedFrom) is { } size) reason += $" (the body was cut to fit the dead-letter queue; it had {size} bytes)";
        return new DeadLetter(id,
            attribute(SourceQueue) ?? attribute(LegacySourceQueue) ?? "",
            body,
            reason,
            UnixMilliseconds(attribute(DeadLetteredAt)) ?? fallbackTime);
    }

    private static DateTimeOffset? UnixMilliseconds(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms is >= -62_135_596_800_000 and <= 253_402_300_799_999
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
