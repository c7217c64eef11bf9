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
    public void A_failed_write_keeps_the_old_file_and_removes_the_temporary_one()
    {
        var path = Path.Combine(_dir, "state.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
