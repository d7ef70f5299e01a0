namespace Celeriac.Celery.Sqs;

/// <summary>
/// kombu's SQS queue names: dots become dashes, dashes and underscores stay, any other ASCII punctuation becomes an
/// underscore; a <c>.fifo</c> suffix is kept as it is.
/// </summary>
public static class KombuSqsNames
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static string EntityName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        const string fifo = ".fifo";
        return name.EndsWith(fifo, StringComparison.Ordinal) ? Translate(name[..^fifo.Length]) + fifo : Translate(name);
    }

    private static string Translate(string name) => string.Create(name.Length, name, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c switch
            {
                '.' => '-',
                '-' or '_' => c,
                _ when Punctuation.Contains(c, StringComparison.Ordinal) => '_',
                _ => c,
            };
        }
    });
}
