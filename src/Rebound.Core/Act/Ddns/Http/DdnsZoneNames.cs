namespace Rebound.Act.Ddns.Http;

internal static class DdnsZoneNames
{
    /// <summary>
    /// <paramref name="name"/> relative to <paramref name="zone"/> (both lower case, no trailing dot), the apex as
    /// <paramref name="apex"/>; null when the name is not inside the zone.
    /// </summary>
    public static string? Relative(string name, string zone, string apex)
    {
        if (name == zone)
            return apex;
        return name.EndsWith("." + zone, StringComparison.Ordinal) ? name[..^(zone.Length + 1)] : null;
    }
}
