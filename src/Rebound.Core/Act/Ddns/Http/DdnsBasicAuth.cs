using System.Net.Http.Headers;
using System.Text;

namespace Rebound.Act.Ddns.Http;

internal static class DdnsBasicAuth
{
    public static AuthenticationHeaderValue Header(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
