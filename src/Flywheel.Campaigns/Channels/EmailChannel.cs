using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text;

namespace Flywheel.Campaigns.Channels;

/// <summary>
/// Email over SMTP (<see cref="SmtpClient"/>). Sends multipart/alternative (text and HTML, UTF-8, base64), the
/// one-click unsubscribe headers (RFC 8058) when the message has an unsubscribe URL, and a <c>Message-ID</c> derived
/// from the idempotency key, so a repeat of the same queue entry carries the same id and a provider can drop it.
/// SMTP 4xx, connection failures and timeouts are transient; 5xx and malformed addresses are permanent.
/// </summary>
internal sealed class EmailChannel(SmtpOptions options, TimeProvider time) : IChannel
{
    public const string MessageHeader = "X-Flywheel-Message";

    public ChannelKind Kind => ChannelKind.Email;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
    {
        if (!MailAddress.TryCreate(message.Recipient, out var to))
            return DeliveryResult.Permanent($"invalid address '{message.Recipient}'");
        MailMessage mail;
        try
        {
            mail = Build(message, to);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // A header value MailMessage refuses (a line break in the subject, say): resending will not fix it.
            return DeliveryResult.Permanent($"cannot build the message: {e.Message}");
        }

        using (mail)
        {
            // SmtpClient is not safe for concurrent sends, and a fresh one per message keeps a broken connection
            // from poisoning later sends; a campaign's volume does not make the extra handshake matter.
            using var client = new SmtpClient(options.Host, options.Port)
            {
                EnableSsl = options.EnableSsl,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                Timeout = (int)options.EffectiveTimeout.TotalMilliseconds,
            };
            if (options.Credentials is { } c)
                client.Credentials = new NetworkCredential(c.UserName, c.Password);
            else
                client.UseDefaultCredentials = false;

            // SmtpClient.Timeout is documented for the synchronous Send only; our own deadline bounds the async send whatever it honours.
            using var timeout = new CancellationTokenSource(options.EffectiveTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                await client.SendMailAsync(mail, linked.Token).ConfigureAwait(false);
                return DeliveryResult.Delivered(mail.Headers["Message-ID"]);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return DeliveryResult.Transient($"SMTP {options.Host}:{options.Port} timed out after {options.EffectiveTimeout.TotalSeconds:0.###} s");
            }
            catch (SmtpException e)
            {
                return Classify(e);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return DeliveryResult.Transient($"SMTP {options.Host}:{options.Port}: {e.Message}");
            }
        }
    }

    internal static DeliveryResult Classify(SmtpException e)
    {
        var code = (int)e.StatusCode;
        var detail = $"SMTP {code}: {e.Message}{(e.InnerException is null ? "" : " (" + e.InnerException.Message + ")")}";
        return code switch
        {
            >= 400 and < 500 => DeliveryResult.Transient(detail),
            >= 500 and < 600 => DeliveryResult.Permanent(detail),
            // GeneralFailure (-1) and the like: the connection failed or timed out before the server gave a code.
            _ => DeliveryResult.Transient(detail),
        };
    }

    /// <summary>
    /// <c>&lt;{hex of SHA-256(key), 32 chars}@{sender's domain}&gt;</c>: stable for a key, unique across keys, and
    /// free of whatever characters the key holds.
    /// </summary>
    public static string MessageIdFor(string idempotencyKey, string fromAddress)
    {
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 ? fromAddress[(at + 1)..] : "flywheel.invalid";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];
        return $"<{hash}@{domain}>";
    }

    private MailMessage Build(OutboundMessage message, MailAddress to)
    {
        var from = new MailAddress(options.FromAddress, options.FromDisplayName, Encoding.UTF8);
        var mail = new MailMessage(from, to)
        {
            Subject = message.Subject ?? "",
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        try
        {
            if (message.Html is null)
            {
                mail.Body = message.Text;
                mail.BodyTransferEncoding = TransferEncoding.Base64;
            }
            else
            {
                // Plain text first: RFC 2046 puts the preferred (richest) alternative last.
                mail.AlternateViews.Add(View(message.Text, MediaTypeNames.Text.Plain));
                mail.AlternateViews.Add(View(message.Html, MediaTypeNames.Text.Html));
            }

            mail.Headers.Add("Message-ID", MessageIdFor(message.IdempotencyKey, options.FromAddress));
            mail.Headers.Add(MessageHeader, message.IdempotencyKey);
            if (message.UnsubscribeUrl is { Length: > 0 } url)
            {
                mail.Headers.Add("List-Unsubscribe", $"<{url}>");
                mail.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            }

            return mail;
        }
        catch
        {
            mail.Dispose();
            throw;
        }
    }

    private static AlternateView View(string content, string mediaType)
    {
        var view = AlternateView.CreateAlternateViewFromString(content, Encoding.UTF8, mediaType);
        view.TransferEncoding = TransferEncoding.Base64;
        return view;
    }
}
