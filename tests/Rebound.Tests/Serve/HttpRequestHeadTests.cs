using System.Text;
using Rebound.Cli.Serve;

namespace Rebound.Tests.Serve;

public class HttpRequestHeadTests
{
    [Fact]
    public void A_request_line_with_host_and_query_parses()
    {
        var head = HttpRequestHead.Parse("GET /journal.json?limit=5&x HTTP/1.1\r\nUser-Agent: t\r\nhost:  localhost:9464 "u8, out var status);

        Assert.Equal(0, status);
        Assert.Equal(new HttpRequestHead("GET", "/journal.json", "limit=5&x", "HTTP/1.1", "localhost:9464"), head);
        Assert.Equal("5", head!.QueryValue("limit"));
        Assert.Equal("", head.QueryValue("x"));
        Assert.Null(head.QueryValue("y"));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        var seeds = new[] { "GET / HTTP/1.1\r\nHost: a\r\n", "HEAD /metrics HTTP/1.0", "GET /?a=b HTTP/1.1\r\nHost: [::1]:1\r\nX: y" };
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = Encoding.ASCII.GetBytes(seeds[i % seeds.Length]);
            var length = random.Next(0, bytes.Length + 8);
            var buffer = new byte[length];
            for (int j = 0; j < length; j++)
            {
                buffer[j] = j < bytes.Length && random.Next(8) != 0 ? bytes[j] : (byte)random.Next(256);
            }

            var head = HttpRequestHead.Parse(buffer, out var status);
            Assert.True(head is null ? status is 400 or 505 : status == 0);
        }
    }
}
