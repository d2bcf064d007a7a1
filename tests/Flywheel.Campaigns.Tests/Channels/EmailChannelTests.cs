using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Flywheel.Campaigns.Channels;

namespace Flywheel.Campaigns.Tests.Channels;

/// <summary>
/// Against the real SMTP server test.sh starts on loopback (aiosmtpd writing a Maildir):
/// FLYWHEEL_TEST_SMTP (host:port) and FLYWHEEL_TEST_MAILDIR.
/// </summary>
public sealed class EmailChannelTests
{
    private static readonly string Smtp = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_SMTP") is { Length: > 0 } s ? s : "127.0.0.1:2525";
    private static readonly string Maildir = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_MAILDIR") is { Length: > 0 } m ? m : "/tmp/flywheel-test-maildir";

    private static SmtpOptions Options(int? port = null) => new(
        Smtp.Split(':')[0],
        port ?? int.Parse(Smtp.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture),
        "news@shop.example",
        "飞轮商城",
        EnableSsl: false,
        Timeout: TimeSpan.FromSeconds(10));

    private static string NewRecipient() => $"{Guid.NewGuid():N}@customer.example";

    [Fact]
    public async Task Send_ChineseMultipartWithUnsubscribe_ArrivesIntact()
    {
        var recipient = NewRecipient();
        var message = Messages.For(ChannelKind.Email, recipient) with
        {
            Subject = "双十一专属优惠：您的购物车还在等您 🎁",
            Text = "你好，小王：\n您的购物车还有 2 件商品，合计 ¥398.00。",
            Html = "<p>你好，<b>小王</b>：合计 ¥398.00</p>",
        };

        var result = await new EmailChannel(Options(), TimeProvider.System).SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var mail = await MaildirMessage.WaitForAsync(Maildir, recipient);
        Assert.Equal(message.Subject, mail.Header("Subject"));
        Assert.Contains("飞轮商城", mail.Header("From"));
        Assert.Contains("news@shop.example", mail.Header("From"));
        Assert.Contains(recipient, mail.Header("To"));
        Assert.StartsWith("multipart/alternative", mail.Header("Content-Type"));
        Assert.Equal(message.Text.ReplaceLineEndings("\r\n"), mail.Part("text/plain")?.ReplaceLineEndings("\r\n"));
        Assert.Equal(message.Html, mail.Part("text/html"));
        Assert.Equal("<https://shop.example/u/abc123>", mail.Header("List-Unsubscribe"));
        Assert.Equal("List-Unsubscribe=One-Click", mail.Header("List-Unsubscribe-Post"));
        Assert.Equal(EmailChannel.MessageIdFor(message.IdempotencyKey, "news@shop.example"), mail.Header("Message-ID"));
        Assert.Equal(result.ProviderMessageId, mail.Header("Message-ID"));
        Assert.Equal(1, mail.HeaderCount("Message-ID"));
        Assert.Equal(message.IdempotencyKey, mail.Header(EmailChannel.MessageHeader));
    }

    [Fact]
    public async Task Send_TextOnlyWithoutUnsubscribe_HasNoUnsubscribeHeaders()
    {
        var recipient = NewRecipient();
        var message = Messages.For(ChannelKind.Email, recipient) with { Html = null, UnsubscribeUrl = null, Purpose = MessagePurpose.Transactional };

        var result = await new EmailChannel(Options(), TimeProvider.System).SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var mail = await MaildirMessage.WaitForAsync(Maildir, recipient);
        Assert.Null(mail.Header("List-Unsubscribe"));
        Assert.Null(mail.Header("List-Unsubscribe-Post"));
        Assert.StartsWith("text/plain", mail.Header("Content-Type"));
        Assert.Equal(message.Text, mail.SinglePartBody());
    }

    [Fact]
    public void MessageId_IsDeterministicPerKey()
    {
        var a = EmailChannel.MessageIdFor("j1/s2/c3/1", "news@shop.example");
        Assert.Equal(a, EmailChannel.MessageIdFor("j1/s2/c3/1", "news@shop.example"));
        Assert.NotEqual(a, EmailChannel.MessageIdFor("j1/s2/c3/2", "news@shop.example"));
        Assert.Matches("^<[0-9a-f]{32}@shop\\.example>$", a);
    }

    [Fact]
    public async Task Send_SmtpDown_IsTransient()
    {
        var channel = new EmailChannel(Options(HttpReceiver.FreePort()), TimeProvider.System);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Email, NewRecipient()), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task Send_ServerNeverGreets_IsTransientByTimeout()
    {
        // Accepts the connection and never says a word: the send must end by the configured timeout, not hang.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var options = Options(port) with { Timeout = TimeSpan.FromMilliseconds(300) };

        var result = await new EmailChannel(options, TimeProvider.System).SendAsync(Messages.For(ChannelKind.Email, NewRecipient()), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("timed out", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("two@@ats.example")]
    [InlineData("")]
    public async Task Send_InvalidAddress_IsPermanent(string recipient)
    {
        var channel = new EmailChannel(Options(), TimeProvider.System);

        var result = await channel.SendAsync(Messages.For(ChannelKind.Email, recipient), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("address", result.Error);
    }

    [Fact]
    public async Task Send_SubjectWithLineBreak_IsPermanentNotException()
    {
        var channel = new EmailChannel(Options(HttpReceiver.FreePort()), TimeProvider.System);
        var message = Messages.For(ChannelKind.Email, NewRecipient()) with { Subject = "优惠\r\nBcc: victim@example.com" };

        var result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
    }

    [Theory]
    [InlineData(SmtpStatusCode.ServiceNotAvailable, "Transient")]
    [InlineData(SmtpStatusCode.MailboxBusy, "Transient")]
    [InlineData(SmtpStatusCode.InsufficientStorage, "Transient")]
    [InlineData(SmtpStatusCode.MailboxUnavailable, "Permanent")]
    [InlineData(SmtpStatusCode.MailboxNameNotAllowed, "Permanent")]
    [InlineData(SmtpStatusCode.UserNotLocalTryAlternatePath, "Permanent")]
    [InlineData(SmtpStatusCode.GeneralFailure, "Transient")]
    public void Classify_StatusCode(SmtpStatusCode code, string expected) =>
        Assert.Equal(Enum.Parse<DeliveryOutcome>(expected), EmailChannel.Classify(new SmtpException(code, "x")).Outcome);

    [Fact]
    public void Classify_FailedRecipient_IsPermanent() =>
        Assert.Equal(DeliveryOutcome.Permanent, EmailChannel.Classify(new SmtpFailedRecipientException(SmtpStatusCode.MailboxUnavailable, "a@b.example")).Outcome);
}

/// <summary>Reads a message aiosmtpd stored in a Maildir: headers (RFC 2047 decoded), MIME parts (base64/QP decoded).</summary>
internal sealed partial class MaildirMessage
{
    private readonly List<(string Name, string Value)> _headers;
    private readonly string _body;

    private MaildirMessage(string raw)
    {
        raw = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = raw.IndexOf("\n\n", StringComparison.Ordinal);
        _headers = ParseHeaders(raw[..split]);
        _body = raw[(split + 2)..];
    }

    public static async Task<MaildirMessage> WaitForAsync(string maildir, string recipient)
    {
        var folder = Path.Combine(maildir, "new");
        var deadline = TimeSpan.FromSeconds(10);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            foreach (var file in Directory.Exists(folder) ? Directory.EnumerateFiles(folder) : [])
            {
                string raw;
                try
                {
                    raw = await File.ReadAllTextAsync(file);
                }
                catch (IOException)
                {
                    continue;
                }

                if (raw.Contains(recipient, StringComparison.Ordinal))
                {
                    var message = new MaildirMessage(raw);
                    if (message.Header("To")?.Contains(recipient, StringComparison.Ordinal) == true)
                        return message;
                }
            }

            if (waited.Elapsed > deadline)
                throw new TimeoutException($"no message to {recipient} in {folder} after {deadline.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    public string? Header(string name) =>
        _headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => DecodeWords(h.Value)).FirstOrDefault();

    public int HeaderCount(string name) => _headers.Count(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public string SinglePartBody() => Decode(_body, Header("Content-Transfer-Encoding"));

    public string? Part(string mediaType)
    {
        var boundary = Boundary().Match(Header("Content-Type") ?? "").Groups[1].Value.Trim('"');
        foreach (var chunk in _body.Split("--" + boundary).Skip(1))
        {
            var split = chunk.IndexOf("\n\n", StringComparison.Ordinal);
            if (split < 0)
                continue;
            var headers = ParseHeaders(chunk[..split].Trim('\n'));
            var type = headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? "";
            if (type.StartsWith(mediaType, StringComparison.OrdinalIgnoreCase))
            {
                var encoding = headers.FirstOrDefault(h => h.Name.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value;
                return Decode(chunk[(split + 2)..], encoding);
            }
        }

        return null;
    }

    private static List<(string Name, string Value)> ParseHeaders(string block)
    {
        var headers = new List<(string Name, string Value)>();
        foreach (var line in block.Split('\n'))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && headers.Count > 0)
            {
                // Folded: RFC 5322 unfolding keeps the whitespace; RFC 2047 drops it between adjacent encoded words.
                headers[^1] = (headers[^1].Name, headers[^1].Value + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                headers.Add((line[..colon], line[(colon + 1)..].Trim()));
        }

        return headers;
    }

    private static string DecodeWords(string value)
    {
        value = BetweenWords().Replace(value, "?==?");
        return EncodedWord().Replace(value, m =>
        {
            var charset = Encoding.GetEncoding(m.Groups[1].Value);
            var bytes = m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(m.Groups[3].Value)
                : QuotedPrintable(m.Groups[3].Value.Replace('_', ' '));
            return charset.GetString(bytes);
        });
    }

    private static string Decode(string body, string? transferEncoding)
    {
        var trimmed = body.Trim('\n', '-', ' ');
        return transferEncoding?.Trim().ToLowerInvariant() switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(trimmed.Split('\n')))),
            "quoted-printable" => Encoding.UTF8.GetString(QuotedPrintable(trimmed.Replace("=\n", "", StringComparison.Ordinal))),
            _ => trimmed,
        };
    }

    private static byte[] QuotedPrintable(string s)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '=' && i + 2 < s.Length + 0 && Uri.IsHexDigit(s[i + 1]) && Uri.IsHexDigit(s[i + 2]))
            {
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return bytes.ToArray();
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"\?=\s+=\?")]
    private static partial Regex BetweenWords();

    [GeneratedRegex(@"boundary=(""[^""]+""|[^;\s]+)")]
    private static partial Regex Boundary();
}
