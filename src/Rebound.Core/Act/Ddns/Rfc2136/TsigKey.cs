using System.Security.Cryptography;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// A TSIG key: name, algorithm and shared secret. The secret is never exposed: not by
/// <see cref="ToString"/>, not in exceptions; only the MAC computation reads it.
/// </summary>
public sealed class TsigKey
{
    private readonly byte[] _secret;

    public TsigKey(DnsName name, TsigAlgorithm algorithm, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (secret.IsEmpty)
            throw new ArgumentException("the TSIG secret is empty", nameof(secret));
        _ = algorithm.WireName(); // validates
        Name = name;
        Algorithm = algorithm;
        _secret = secret.ToArray();
    }

    public DnsName Name { get; }

    public TsigAlgorithm Algorithm { get; }

    public int SecretLength => _secret.Length;

    internal byte[] ComputeMac(ReadOnlySpan<byte> data) => Algorithm == TsigAlgorithm.HmacSha512
        ? HMACSHA512.HashData(_secret, data)
        : HMACSHA256.HashData(_secret, data);

    public override string ToString() => $"TSIG key {Name} ({Algorithm.Text()}, {_secret.Length}-byte secret)";
}
