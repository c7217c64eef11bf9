using Rebound.Cli.Service;

namespace Rebound.Tests.Service;

public sealed class ServiceLogTests
{
    [Fact]
    public void Journal_lines_carry_sd_daemon_priority_prefixes()
    {
        var text = new StringWriter();
        var log = new ServiceLog(text, toJournal: true);

        log.Error("state directory /var/lib/rebound: Permission denied");
        log.Warning("local network monitor unavailable");
        log.Info("reloaded");
        log.Debug("probe round");

        Assert.Equal(
            "<3>rebound: error: state directory /var/lib/rebound: Permission denied\n<4>rebound: warning: local network monitor unavailable\n<6>rebound: reloaded\n<7>rebound: debug: probe round\n",
            text.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Terminal_lines_are_plain()
    {
        var text = new StringWriter();
        new ServiceLog(text, toJournal: false).Warning("x");

        Assert.Equal("rebound: warning: x" + Environment.NewLine, text.ToString());
    }

    [Fact]
    public void A_message_cannot_split_into_entries_or_forge_a_priority()
    {
        var text = new StringWriter();
        new ServiceLog(text, toJournal: true).Warning("bad\n<3>forged");

        Assert.Equal("<4>rebound: warning: bad <3>forged" + Environment.NewLine, text.ToString());
    }

    [Fact]
    public void A_closed_stderr_is_not_fatal()
    {
        var text = new StringWriter();
        text.Dispose();

        new ServiceLog(text, toJournal: true).Error("x");
    }

    [Fact]
    public void Journal_stream_matches_only_the_same_device_and_inode()
    {
        Assert.True(JournalStream.Matches("8:1234", (8UL, 1234UL)));
        Assert.False(JournalStream.Matches("8:1234", (8UL, 1235UL)));
        Assert.False(JournalStream.Matches("9:1234", (8UL, 1234UL)));
        Assert.False(JournalStream.Matches(null, (8UL, 1234UL)));
        Assert.False(JournalStream.Matches("8:1234", null));
        Assert.False(JournalStream.Matches("garbage", (8UL, 1234UL)));
        Assert.False(JournalStream.Matches(":1234", (0UL, 1234UL)));
        Assert.False(JournalStream.Matches("8:", (8UL, 0UL)));
        Assert.False(JournalStream.Matches("-8:1234", (8UL, 1234UL)));
    }

    [Fact]
    public void Fstat_reads_the_device_and_inode_of_an_open_descriptor()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var fd = (int)file.DangerousGetHandle();

            var stat = JournalStream.DeviceAndInode(fd);

            // stat(1) reads the same file from outside: %d device, %i inode.
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
            var expected = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            Assert.NotNull(stat);
            Assert.Equal(expected, $"{stat.Value.Device}:{stat.Value.Inode}");
            Assert.True(JournalStream.Matches(expected, stat));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_closed_descriptor_has_no_device_and_inode() =>
        Assert.Null(JournalStream.DeviceAndInode(987_654));
}
