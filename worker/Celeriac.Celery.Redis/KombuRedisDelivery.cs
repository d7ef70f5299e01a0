namespace Celeriac.Celery.Redis;

/// <summary>
/// One delivery taken from kombu's lists: the message's delivery tag, the message as it was on the list, and the score this
/// receiver gave it in <c>unacked_index</c> (renewed with each lease extension), by which it proves the delivery is still its own.
/// </summary>
internal sealed class KombuRedisDelivery(string tag, byte[] item, string score)
{
    private string _score = score;

    public string Tag { get; } = tag;

    public byte[] Item { get; } = item;

    public string Score
    {
        get => Volatile.Read(ref _score);
        set => Volatile.Write(ref _score, value);
    }
}
