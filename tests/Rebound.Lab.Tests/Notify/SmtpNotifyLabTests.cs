using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Notify;

/// <summary>`rebound run` with an smtp:// [[notify]] entry: a failover becomes a mail delivered by the lab's real OpenSMTPD.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SmtpNotifyLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failover_produces_a_mail_in_the_admin_mailbox()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var smtp = await lab.StartSmtpAsync(Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-notify-");
        try
        {
            var urlFile = Path.Combine(dir.FullName, "notify.url");
            await File.WriteAllTextAsync(urlFile, $"smtp://{smtp.Host}:{smtp.Port}/?from=rebound@lan.test&to=admin@{smtp.Domain}&encryption=None&subject=rebound+failover\n", Ct);
            File.SetUnixFileMode(urlFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, $"""
                [watch]
                servers = ["{FailoverLab.Stun1}", "{FailoverLab.Stun2}"]
                interval = "1s"

                [state]
                directory = "{dir.FullName}/state"

                [[notify]]
                events = ["public-address-changed"]
                url_file = "{urlFile}"
                window = "1s"
                """, Ct);

            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
            await lab.FailoverAsync(Ct);
            var changed = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "public-address-changed", Ct);
            Assert.Equal("public-address-changed", changed.Name);

            var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            while (smtp.Mails("admin").Count == 0 && DateTimeOffset.UtcNow < deadline)
                await Task.Delay(100, Ct);
            var mail = Assert.Single(smtp.Mails("admin"));
            var text = await File.ReadAllTextAsync(mail, Ct);
            Assert.Contains("Subject: rebound failover", text, StringComparison.Ordinal);
            Assert.Contains($"Delivered-To: admin@{smtp.Domain}", text, StringComparison.Ordinal);
            Assert.Contains("public-address-changed", text, StringComparison.Ordinal);
            Assert.Contains(FailoverLab.Wan2Address, text, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
