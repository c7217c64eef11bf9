using Rebound.Record;

namespace Rebound.Tests.Record;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Replaces_the_file_whole_with_owner_only_mode_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "state.json");
        File.WriteAllText(path, "old");

        AtomicFile.WriteJson(path, json =>
        {
            json.WriteStartObject();
            json.WriteString("state", "new");
            json.WriteEndObject();
        });

        Assert.Contains("\"state\": \"new\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_symlink_planted_at_the_temporary_name_neither_redirects_the_write_nor_changes_its_targets_mode()
    {
        var path = Path.Combine(_dir, "status.json");
        var victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "precious");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(Path.Combine(_dir, $".status.json.{Environment.ProcessId}.tmp"), victim);

        AtomicFile.Write(path, stream => stream.Write("new"u8));

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(victim));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["status.json", "victim"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_dangling_symlink_at_the_temporary_name_does_not_create_its_target()
    {
        var path = Path.Combine(_dir, "status.json");
        var elsewhere = Path.Combine(_dir, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var target = Path.Combine(elsewhere, "created-by-us");
        File.CreateSymbolicLink(Path.Combine(_dir, $".status.json.{Environment.ProcessId}.tmp"), target);

        AtomicFile.Write(path, stream => stream.Write("new"u8));

        Assert.False(File.Exists(target));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_removes_the_temporary_one()
    {
        var path = Path.Combine(_dir, "state.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
