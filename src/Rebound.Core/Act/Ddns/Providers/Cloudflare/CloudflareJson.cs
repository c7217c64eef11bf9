using System.Text.Json.Serialization;

namespace Rebound.Act.Ddns.Providers.Cloudflare;

/// <summary>The v4 envelope every Cloudflare API answer shares: success flag, errors, result.</summary>
internal sealed class CloudflareResponse<T>
{
    public bool Success { get; set; }

    public CloudflareError[]? Errors { get; set; }

    public T? Result { get; set; }
}

internal sealed class CloudflareError
{
    public int Code { get; set; }

    public string? Message { get; set; }
}

internal sealed class CloudflareZone
{
    public string? Id { get; set; }

    public string? Name { get; set; }
}

internal sealed class CloudflareDnsRecord
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Type { get; set; }

    public string? Content { get; set; }

    public int? Ttl { get; set; }
}

/// <summary>The PATCH body: the address, and the TTL when the entry sets one; name and proxying stay as configured.</summary>
internal sealed class CloudflareContentPatch
{
    public string Content { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ttl { get; set; }
}

/// <summary>Source-generated (trim- and AOT-safe) serialisation for the few shapes we use.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CloudflareResponse<CloudflareZone[]>))]
[JsonSerializable(typeof(CloudflareResponse<CloudflareDnsRecord[]>))]
[JsonSerializable(typeof(CloudflareResponse<CloudflareDnsRecord>))]
[JsonSerializable(typeof(CloudflareResponse<object>))]
[JsonSerializable(typeof(CloudflareContentPatch))]
internal sealed partial class CloudflareJsonContext : JsonSerializerContext;
