using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>OpenSMTPD in the lab delivers mail for home.test into a maildir a test can read, and only for home.test.</summary>
public sealed class SmtpLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mail_for_the_lab_domain_is_delivered_to_the_maildir()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var smtp = await lab.StartSmtpAsync(Ct);
        Assert.Equal("home.test", smtp.Domain);
        var token = Guid.NewGuid().ToString("N");
        var message = Path.Combine(Path.GetTempPath(), $"rebound-lab-mail-{token}.txt");
        await File.WriteAllTextAsync(message, $"Subject: failover {token}\r\n\r\nWAN2 is carrying traffic.\r\n", Ct);
        try
        {
            var sent = await lab.ExecAsync("lan", Curl(smtp, "admin@home.test", message), Ct);
            Assert.True(sent.ExitCode == 0, sent.Stderr);
            var refused = await lab.ExecAsync("lan", Curl(smtp, "admin@example.test", message), Ct);
            Assert.Equal(55, refused.ExitCode); // RCPT refused: not a lab domain

            var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
            while (smtp.Mails("admin").Count == 0 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(50, Ct);
            }

            var mail = Assert.Single(smtp.Mails("admin"));
            var text = await File.ReadAllTextAsync(mail, Ct);
            Assert.Contains($"Subject: failover {token}", text, StringComparison.Ordinal);
            Assert.Contains("Delivered-To: admin@home.test", text, StringComparison.Ordinal);
            Assert.Equal(mail, (await FailoverLab.LabAsync(["mail", lab.Id], Ct)).Stdout.Trim()); // lab.sh mail ID agrees
        }
        finally
        {
            File.Delete(message);
        }
    }

    private static string[] Curl(SmtpServer smtp, string recipient, string file) =>
        ["curl", "-sS", "--max-time", "5", $"smtp://{smtp.Host}:{smtp.Port}", "--mail-from", "rebound@lan.test", "--mail-rcpt", recipient, "-T", file];
}
