using Rebound.Act.Ddns.Providers.Route53;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// The signer against AWS's published Signature Version 4 test suite (the aws-sig-v4-test-suite cases: example
/// credentials AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z). Expected values are the
/// suite's own.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private static readonly SigV4Scope Scope = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service");
    private static readonly DateTimeOffset When = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    private static SigV4Request Request(string method, params KeyValuePair<string, string>[] query) =>
        new(method, "/", query, [new("Host", "example.amazonaws.com"), new("X-Amz-Date", SigV4.AmzDate(When))], []);

    [Fact]
    public void Get_vanilla()
    {
        var request = Request("GET");
        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            SigV4.CanonicalRequest(request).Canonical);
        Assert.Equal($"{Credential}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            SigV4.Authorization(request, Scope, When));
    }

    [Fact]
    public void Post_vanilla()
    {
        Assert.Equal($"{Credential}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            SigV4.Authorization(Request("POST"), Scope, When));
    }

    [Fact]
    public void Get_vanilla_query_order_key_case_sorts_the_parameters()
    {
        var request = Request("GET", new("Param2", "value2"), new("Param1", "value1"));
        Assert.StartsWith("GET\n/\nParam1=value1&Param2=value2\n", SigV4.CanonicalRequest(request).Canonical, StringComparison.Ordinal);
        Assert.Equal($"{Credential}, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            SigV4.Authorization(request, Scope, When));
    }

    [Fact]
    public void A_different_secret_or_instant_gives_another_signature()
    {
        var request = Request("GET");
        var good = SigV4.Authorization(request, Scope, When);
        Assert.NotEqual(good, SigV4.Authorization(request, Scope with { SecretAccessKey = "other" }, When));
        Assert.NotEqual(good, SigV4.Authorization(request, Scope, When.AddSeconds(1)));
        Assert.DoesNotContain(Scope.SecretAccessKey, Scope.ToString(), StringComparison.Ordinal);
    }
}
