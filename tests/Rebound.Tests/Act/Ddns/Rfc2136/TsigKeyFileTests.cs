using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

public sealed class TsigKeyFileTests
{
    private const string Secret = "3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho=";

    [Theory]
    [InlineData("key \"k\" {\n  algorithm hmac-sha256;\n  c2VjcmV0LXNoYXJlZC1rZXktdmFsdWU=;\n};\n")]
    [InlineData("key \"k\" {\n  algorithm hmac-sha256;\n  c2VjcmV0LXNoYXJlZC1rZXktdmFsdWU= \"x\";\n};\n")]
    public void A_secret_without_its_keyword_is_not_quoted_in_the_error(string text)
    {
        Assert.False(TsigKeyFile.TryParse(text, out _, out var error));
        Assert.DoesNotContain("c2VjcmV0", error, StringComparison.Ordinal);
        Assert.Contains("line 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_what_tsig_keygen_writes()
    {
        var key = TsigKeyFile.ParseSingle($"key \"rebound-key\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{Secret}\";\n}};\n");
        Assert.Equal(DnsName.Parse("rebound-key"), key.Name);
        Assert.Equal(TsigAlgorithm.HmacSha256, key.Algorithm);
        Assert.Equal(32, key.SecretLength);
    }

    [Fact]
    public void Reads_comments_several_keys_and_sha512()
    {
        var keys = TsigKeyFile.Parse($"# made by hand\nkey a.example {{ secret \"{Secret}\"; algorithm HMAC-SHA512.; }};\n/* second\n key */ key \"b\" {{ algorithm hmac-sha256; // x\n secret \"{Secret}\"; }};");
        Assert.Equal(["a.example.", "b."], keys.Select(k => k.Name.ToString()));
        Assert.Equal(TsigAlgorithm.HmacSha512, keys[0].Algorithm);
    }

    [Theory]
    [InlineData("key \"k\" {\n algorithm hmac-md5;\n secret \"SECRET\";\n};", 2, "unsupported algorithm 'hmac-md5'")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"SECRET!!\";\n};", 3, "not valid base64")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n secret \"SECRET\"\n};", 4, "expected ';'")]
    [InlineData("key \"k\" {\n algorithm hmac-sha256;\n};", 1, "has no secret")]
    [InlineData("key \"k\" {\n secret \"SECRET\";\n};", 1, "has no algorithm")]
    [InlineData("\n\nkey \"k\" {\n secret \"SECRET\";\n", 4, "not closed")]
    [InlineData("zone \"k\" { };", 1, "expected 'key'")]
    [InlineData("key \"k\" {\n secret \"SECRET;\n};", 2, "quoted string is not closed")]
    [InlineData("key \"k\" {\n sekret \"SECRET\";\n};", 2, "unknown statement 'sekret'")]
    [InlineData("key \"bad name\" { };", 1, "not a valid key name")]
    [InlineData("# nothing\n", 1, "no key clause")]
    public void Malformed_files_name_the_line_and_never_the_secret(string template, int line, string expected)
    {
        var text = template.Replace("SECRET", Secret);
        Assert.False(TsigKeyFile.TryParse(text, out _, out var error));
        if (expected != "no key clause")
            Assert.StartsWith($"key file line {line}: ", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(Secret[..20], error);
        var ex = Assert.Throws<FormatException>(() => TsigKeyFile.Parse(text));
        Assert.DoesNotContain(Secret[..20], ex.ToString());
    }

    [Fact]
    public void Unquoted_secret_in_the_wrong_place_is_not_echoed()
    {
        Assert.False(TsigKeyFile.TryParse($"key k {{ algorithm hmac-sha256; secret {Secret} {Secret}; }};", out _, out var error));
        Assert.DoesNotContain(Secret[..20], error);
    }

    [Fact]
    public void Secret_is_not_in_ToString()
    {
        var key = TsigKeyFile.ParseSingle($"key \"k\" {{ algorithm hmac-sha256; secret \"{Secret}\"; }};");
        var text = key.ToString();
        Assert.Equal("TSIG key k. (hmac-sha256, 32-byte secret)", text);
        Assert.DoesNotContain(Secret[..8], text);
        Assert.DoesNotContain(Convert.ToHexString(Convert.FromBase64String(Secret))[..8], text, StringComparison.OrdinalIgnoreCase);
    }
}
