using System.Net;
using Rebound.Act.Router;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// ConntrackToolTable against a Fake <c>conntrack</c> script that prints what conntrack-tools 1.4.7 prints
/// (summary on stderr) and exits as it does, recording its arguments.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConntrackToolTableFakeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-conntrack-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FakeConntrack(string stderr, int exit)
    {
        var path = Path.Combine(_dir, "conntrack");
        File.WriteAllText(path, $"#!/bin/sh\necho \"$@\" > {_dir}/args\nprintf '%s\\n' '{stderr}' >&2\nexit {exit}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Args => File.ReadAllText(Path.Combine(_dir, "args")).Trim();

    [Fact]
    public async Task Deleted_entries_are_counted_from_the_summary_line()
    {
        var table = new ConntrackToolTable([FakeConntrack("conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.", 0)]);

        var result = await table.DeleteTranslatedToAsync(IPAddress.Parse("198.51.100.2"), TestContext.Current.CancellationToken);

        Assert.Equal(new ConntrackFlushResult(3, "conntrack tool"), result);
        Assert.Equal("-D -f ipv4 --reply-dst 198.51.100.2", Args);
    }

    [Fact]
    public async Task Exit_1_with_zero_entries_means_nothing_matched_not_failure()
    {
        var table = new ConntrackToolTable([FakeConntrack("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.", 1)]);

        var result = await table.DeleteTranslatedToAsync(IPAddress.Parse("2001:db8::2"), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.Deleted);
        Assert.Equal("-D -f ipv6 --reply-dst 2001:db8::2", Args);
    }

    [Fact]
    public async Task A_real_failure_is_a_one_line_conntrack_exception()
    {
        var table = new ConntrackToolTable([FakeConntrack("conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted", 1)]);

        var error = await Assert.ThrowsAsync<ConntrackException>(async () => await table.CountTranslatedToAsync(IPAddress.Parse("198.51.100.2"), TestContext.Current.CancellationToken));

        Assert.Equal("conntrack -L failed (exit 1): conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted", error.Message);
    }
}
