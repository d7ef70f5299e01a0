using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// One plain Redis connection speaking RESP2, for the one thing the multiplexer cannot do: a blocking read
/// (StackExchange.Redis shares a connection between callers, so it never sends blocking commands). It covers
/// only what <see cref="RedisBlockingReceive"/> needs: connect (TLS, AUTH, SELECT as the connection string
/// says), write a pipeline of commands, read replies. Replies are null (nil), <see cref="long"/>,
/// <see cref="byte"/>[] (bulk), <see cref="string"/> (status), <see cref="RespError"/> or <see cref="object"/>[].
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RespConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public static async Task<RespConnection> OpenAsync(EndPoint endPoint, ConfigurationOptions configuration, string clientName, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (configuration.Ssl)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                var host = configuration.SslHost ?? (endPoint as DnsEndPoint)?.Host ?? ((IPEndPoint)endPoint).Address.ToString();
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    EnabledSslProtocols = configuration.SslProtocols ?? System.Security.Authentication.SslProtocols.None,
                }, cancellationToken).ConfigureAwait(false);
                stream = tls;
            }
            var connection = new RespConnection(socket, stream);
            var setup = new List<object[]>();
            if (!string.IsNullOrEmpty(configuration.Password)) setup.Add(["AUTH", configuration.Password]);
            if (configuration.DefaultDatabase is int database and not 0) setup.Add(["SELECT", database]);
            setup.Add(["CLIENT", "SETNAME", clientName]);
            await connection.WriteAsync(setup, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < setup.Count; i++)
            {
                var reply = await connection.ReadAsync(cancellationToken).ConfigureAwait(false);
                // A server that forbids CLIENT SETNAME (some managed ones do) still serves reads.
                if (reply is RespError error && i < setup.Count - 1)
                    throw new IOException($"Redis refused {setup[i][0]}: {error.Message}");
            }
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes the commands as one pipeline; arguments are strings, byte arrays or integers.</summary>
    public async Task WriteAsync(IReadOnlyList<object[]> commands, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        foreach (var command in commands)
        {
            WriteHeader(output, '*', command.Length);
            foreach (var argument in command)
            {
                var bytes = argument switch
                {
                    byte[] raw => raw,
                    string text => Encoding.UTF8.GetBytes(text),
                    long or int => Encoding.ASCII.GetBytes(Convert.ToString(argument, System.Globalization.CultureInfo.InvariantCulture)!),
                    _ => throw new ArgumentException($"Cannot send a {argument.GetType().Name} to Redis.", nameof(commands)),
                };
                WriteHeader(output, '$', bytes.Length);
                output.Write(bytes);
                output.Write("\r\n"u8);
            }
        }
        await _stream.WriteAsync(output.GetBuffer().AsMemory(0, (int)output.Length), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteHeader(MemoryStream output, char kind, int length)
    {
        Span<byte> header = stackalloc byte[16];
        header[0] = (byte)kind;
        Utf8Formatter.TryFormat(length, header[1..], out var written);
        header[1 + written] = (byte)'\r';
        header[2 + written] = (byte)'\n';
        output.Write(header[..(3 + written)]);
    }

    /// <summary>Reads one whole reply.</summary>
    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var kind = line[0];
        var rest = line.AsSpan(1);
        switch (kind)
        {
            case '+':
                return rest.ToString();
            case '-':
                return new RespError(rest.ToString());
            case ':':
                return long.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
            case '$':
            {
                var length = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0) return null;
                var bytes = new byte[length];
                await ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                await ReadExactlyAsync(new byte[2], cancellationToken).ConfigureAwait(false);
                return bytes;
            }
            case '*':
            {
                var count = int.Parse(rest, System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0) return null;
                var items = new object?[count];
                for (var i = 0; i < count; i++) items[i] = await ReadAsync(cancellationToken).ConfigureAwait(false);
                return items;
            }
            default:
                throw new IOException($"Redis sent a reply this client does not understand ('{kind}').");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(span[..newline]);
                _start += newline + 2;
                if (line.Length == 0) throw new IOException("Redis sent an empty reply line.");
                return line;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (destination.Length > 0)
        {
            if (_start == _end) await FillAsync(cancellationToken).ConfigureAwait(false);
            var take = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, take).CopyTo(destination);
            _start += take;
            destination = destination[take..];
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new IOException("A Redis status line is longer than this client reads.");
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0) throw new IOException("Redis closed the connection.");
        _end += read;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}

/// <summary>An error reply (<c>-ERR ...</c>).</summary>
internal sealed record RespError(string Message);
