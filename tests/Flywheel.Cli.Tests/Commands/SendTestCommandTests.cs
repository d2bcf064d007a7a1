using System.Text;

namespace Flywheel.Cli.Tests.Commands;

/// <summary>
/// Against the real SMTP server test.sh starts on loopback (aiosmtpd writing a Maildir): FLYWHEEL_TEST_SMTP (host:port)
/// and FLYWHEEL_TEST_MAILDIR.
/// </summary>
public sealed class SendTestCommandTests
{
    private static readonly string Smtp = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_SMTP") is { Length: > 0 } s ? s : "127.0.0.1:2525";
    private static readonly string Maildir = Environment.GetEnvironmentVariable("FLYWHEEL_TEST_MAILDIR") is { Length: > 0 } m ? m : "/tmp/flywheel-test-maildir";

    private static string NewRecipient() => $"cli-{Guid.NewGuid():N}@customer.example";

    /// <summary>The raw text of the Maildir message addressed to <paramref name="recipient"/>, polling new/ for up to 10 s.</summary>
    private static async Task<string> WaitForMailAsync(string recipient)
    {
        var folder = Path.Combine(Maildir, "new");
        for (var i = 0; i < 100; i++)
        {
            if (Directory.Exists(folder))
                foreach (var file in Directory.EnumerateFiles(folder))
                {
                    string text;
                    try
                    {
                        text = await File.ReadAllTextAsync(file, Encoding.UTF8);
                    }
                    catch (IOException)
                    {
                        continue; // moved to cur/ or still being written
                    }
                    if (text.Contains(recipient, StringComparison.Ordinal)) return text;
                }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no mail for {recipient} in {folder} after 10 s");
    }

    /// <summary>Every base64 part of the mail (they are UTF-8), decoded, so the assertions can read the Chinese text.</summary>
    private static string DecodedBody(string mail)
    {
        var sb = new StringBuilder();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(mail.ReplaceLineEndings("\n"),
                     @"Content-Transfer-Encoding: base64\n(?:[^\n]+\n)*\n((?:[A-Za-z0-9+/=]+\n?)+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            sb.Append(Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value.Replace("\n", "", StringComparison.Ordinal)))).Append('\n');
        return sb.ToString();
    }

    [Fact]
    public async Task Template_SampleCustomer_ArrivesAtTheSmtpServer()
    {
        var folder = JourneysCommandTests.NewFolder();
        var template = JourneysCommandTests.Write(folder, "t.json", """
            {"subject":"{{customer.name}}，您的购物车还在等您","text":"您好 {{customer.name}}！合计 {{cart.total}}，券 {{coupon.code}}","html":"<p>{{customer.name}} {{cart.total}}</p>"}
            """);
        var recipient = NewRecipient();
        var (exit, output, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--channel", "email", "--template", template, "--smtp", Smtp);
        Assert.True(exit == 0, error);
        Assert.Matches("message id <[0-9a-f]{32}@", output);
        var mail = await WaitForMailAsync(recipient);
        var id = output[output.IndexOf('<', StringComparison.Ordinal)..].Trim();
        Assert.Contains("Message-ID: " + id, mail, StringComparison.OrdinalIgnoreCase);
        var body = DecodedBody(mail);
        Assert.Contains("您好 测试用户！合计 ¥298.00，券 TEST-COUPON", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JourneyStep_ArrivesAtTheSmtpServer()
    {
        var folder = JourneysCommandTests.NewFolder();
        var (exit, _, error) = await JourneysCommandTests.RunAsync("journeys", "add", "--template", "abandoned_cart", "--data", folder);
        Assert.True(exit == 0, error);
        var recipient = NewRecipient();
        (exit, var output, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--journey", "abandoned_cart", "--step", "email",
            "--smtp", Smtp, "--from", "shop@shop.example", "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("@shop.example>", output, StringComparison.Ordinal);
        var mail = await WaitForMailAsync(recipient);
        Assert.Contains("shop@shop.example", mail, StringComparison.Ordinal);
        Assert.Contains("TEST-COUPON", DecodedBody(mail), StringComparison.Ordinal);

        (exit, _, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--journey", "abandoned_cart", "--step", "coupon",
            "--smtp", Smtp, "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("has no send step 'coupon': email", error, StringComparison.Ordinal);
        (exit, _, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--journey", "abandoned_cart", "--step", "email",
            "--customer", "nobody", "--smtp", Smtp, "--data", folder);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("there is no customer 'nobody'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenCustomer_RendersTheirProfile()
    {
        var folder = JourneysCommandTests.NewFolder();
        var (exit, _, error) = await JourneysCommandTests.RunAsync("import", "customers",
            JourneysCommandTests.Write(folder, "customers.csv", BroadcastsCommandTests.Customers), "--data", folder);
        Assert.True(exit == 0, error);
        var template = JourneysCommandTests.Write(folder, "t.json", """{"subject":"hi","text":"亲爱的 {{customer.name}} ({{customer.id}})"}""");
        var recipient = NewRecipient();
        (exit, var output, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--template", template, "--customer", "c3",
            "--smtp", Smtp, "--data", folder);
        Assert.True(exit == 0, error);
        Assert.Contains("as 顾客3 (c3)", output, StringComparison.Ordinal);
        Assert.Contains("亲爱的 顾客3 (c3)", DecodedBody(await WaitForMailAsync(recipient)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderError_ExitsNonZero_AndSendsNothing()
    {
        var folder = JourneysCommandTests.NewFolder();
        var template = JourneysCommandTests.Write(folder, "bad.json", """{"subject":"hi {{nope.field}}","text":"x"}""");
        var recipient = NewRecipient();
        var (exit, output, error) = await JourneysCommandTests.RunAsync("send-test", "--to", recipient, "--template", template, "--smtp", Smtp);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains("bad.json: template 'bad' has 1 error(s)", error, StringComparison.Ordinal);
        Assert.Contains("unknown variable 'nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpUnreachable_OrOtherChannel_ExitsNonZeroWithTheReason()
    {
        var folder = JourneysCommandTests.NewFolder();
        var template = JourneysCommandTests.Write(folder, "t.json", """{"subject":"hi","text":"x"}""");
        var (exit, _, error) = await JourneysCommandTests.RunAsync("send-test", "--to", NewRecipient(), "--template", template, "--smtp", "127.0.0.1:1");
        Assert.NotEqual(0, exit);
        Assert.Contains("error: smtp 127.0.0.1:1: not sent", error, StringComparison.Ordinal);
        (exit, _, error) = await JourneysCommandTests.RunAsync("send-test", "--to", NewRecipient(), "--channel", "sms", "--template", template, "--smtp", Smtp);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("sms is not supported by send-test yet", error, StringComparison.Ordinal);
        (exit, _, error) = await JourneysCommandTests.RunAsync("send-test", "--to", "not-an-address", "--template", template, "--smtp", Smtp);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--to", error, StringComparison.Ordinal);
    }
}
