namespace Celeriac.Celery.Redis;

/// <summary>
/// One delivery taken from kombu's lists: the message's delivery tag, the message as it was on the list, and the score this
/// receiver gave it in <c>unacked_index</c> (renewed with each lease extension), by which it proves the delivery is still its own.
/// </summary>
internal sealed class KombuRedisDelivery(string tag, byte[] item, string score)
{
    private string _score = score;
    private Task _extension = Task.CompletedTask;

    public string Tag { get; } = tag;

    public byte[] Item { get; } = item;

    public string Score
    {
        get => Volatile.Read(ref _score);
        set => Volatile.Write(ref _score, value);
    }

    /// <summary>An extension of this delivery's lease is under way until <paramref name="done"/> completes.</summary>
    public void Extending(Task done) => Volatile.Write(ref _extension, done);

    /// <summary>
    /// The score once no extension is under way: an ack (or release, or dead letter) that went out with the score from
    /// before an extension the server has already applied would find the delivery no longer its own and be dropped.
    /// </summary>
    public async ValueTask<string> SettledScoreAsync()
    {
        await Volatile.Read(ref _extension).ConfigureAwait(false);
        return Score;
    }
}
