using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// The HTTP address echo (nginx): the caller's address as text, JSON and Cloudflare trace, over HTTP and over
/// HTTPS with a certificate from the lab CA that .NET's TLS stack accepts when given that CA, and only then.
/// </summary>
public sealed class HttpEchoLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Echo_formats_follow_failover_and_failback()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        Assert.Equal(lab.CaFile, echo.CaFile);

        Assert.Equal(FailoverLab.Wan1Address, await lab.HttpGetFromLanAsync($"{echo.Http}", Ct)); // no newline
        var json = await lab.HttpGetFromLanAsync($"{echo.Https}json", Ct);
        Assert.NotNull(json);
        Assert.Equal(FailoverLab.Wan1Address, JsonDocument.Parse(json).RootElement.GetProperty("ip").GetString());
        var trace = await lab.HttpGetFromLanAsync($"{echo.Https}cdn-cgi/trace", Ct) ?? "";
        var lines = trace.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"ip={FailoverLab.Wan1Address}", lines);
        Assert.Contains("visit_scheme=https", lines);
        Assert.Contains("tls=TLSv1.3", lines);

        // Without the lab CA, curl refuses the certificate.
        var untrusted = await lab.ExecAsync("lan", ["curl", "-sS", "--max-time", "3", $"{echo.Https}"], Ct);
        Assert.Equal(60, untrusted.ExitCode);

        await lab.FailoverAsync(Ct);
        Assert.Equal(FailoverLab.Wan2Address, await lab.HttpGetFromLanAsync($"{echo.Https}", Ct));
        Assert.Contains($"ip={FailoverLab.Wan2Address}", (await lab.HttpGetFromLanAsync($"{echo.Http}cdn-cgi/trace", Ct) ?? "").Split('\n'));

        await lab.FailbackAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.HttpGetFromLanAsync($"{echo.Https}", Ct));
    }

    [Fact]
    public async Task Dotnet_accepts_the_certificate_with_the_lab_ca_and_refuses_it_without()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(echo.CaFile);

        // The certificate names the address (and echo.home.test): name and chain check out against the lab CA.
        using (var trusting = LabHttp.Client(lab, "lan", ca))
        {
            Assert.Equal(FailoverLab.Wan1Address, await trusting.GetStringAsync(echo.Https, Ct));
        }

        using var system = LabHttp.Client(lab, "lan");
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => system.GetStringAsync(echo.Https, Ct));
        Assert.Contains("certificate", e.GetBaseException().Message, StringComparison.OrdinalIgnoreCase);
    }
}
