using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Tune;

namespace Rebound.Tests.Act.Tune;

public sealed class TunerTests : IDisposable
{
    private readonly FakeProcSys _sys = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));

    public void Dispose() => _sys.Dispose();

    [Fact]
    public void Inspect_marks_values_above_the_recommendation_and_leaves_lower_ones()
    {
        _sys.Set("net.ipv4.tcp_retries2", "5");

        var rows = new Tuner(_sys.Options).Inspect().ToDictionary(r => r.Setting.Key);

        Assert.Equal(("7200", "change"), (rows["net.ipv4.tcp_keepalive_time"].Current, rows["net.ipv4.tcp_keepalive_time"].Status));
        Assert.Equal(("5", "ok"), (rows["net.ipv4.tcp_retries2"].Current, rows["net.ipv4.tcp_retries2"].Status));
        Assert.Equal("ok", rows["net.netfilter.nf_conntrack_udp_timeout"].Status);
        Assert.Equal("change", rows["net.netfilter.nf_conntrack_udp_timeout_stream"].Status);
    }

    [Fact]
    public void Conntrack_settings_are_absent_without_nf_conntrack_and_never_created()
    {
        using var sys = new FakeProcSys(withConntrack: false);
        var tuner = new Tuner(sys.Options);

        Assert.All(tuner.Inspect().Where(r => r.Setting.Key.StartsWith("net.netfilter.", StringComparison.Ordinal)), r => Assert.Equal("absent", r.Status));
        tuner.Apply();
        Assert.False(Directory.Exists(Path.Combine(sys.Options.ProcSysRoot, "net", "netfilter")));
    }

    [Fact]
    public void Apply_writes_values_drop_in_and_a_backup_of_the_originals()
    {
        var tuner = new Tuner(_sys.Options, _time);

        var changes = tuner.Apply();

        Assert.Equal(5, changes.Count);
        Assert.Contains(new TuneChange("net.ipv4.tcp_retries2", "15", "8"), changes);
        Assert.Equal("8\n", _sys.Get("net.ipv4.tcp_retries2"));
        Assert.Equal("120\n", _sys.Get("net.ipv4.tcp_keepalive_time"));
        Assert.Equal("30\n", _sys.Get("net.netfilter.nf_conntrack_udp_timeout"));
        Assert.Equal(
            """
            # Written by 'rebound tune --apply'; 'rebound tune --revert' restores the previous values and removes this file.
            net.ipv4.tcp_keepalive_time = 120
            net.ipv4.tcp_keepalive_intvl = 10
            net.ipv4.tcp_keepalive_probes = 6
            net.ipv4.tcp_retries2 = 8
            net.netfilter.nf_conntrack_udp_timeout_stream = 60

            """.ReplaceLineEndings("\n"),
            File.ReadAllText(_sys.Options.DropInPath));
        var backup = TuneBackup.Parse(File.ReadAllBytes(_sys.Options.BackupPath), "backup");
        Assert.Equal(_time.GetUtcNow(), backup.Created);
        Assert.Null(backup.PreviousDropIn);
        Assert.Equal("7200", Assert.Single(backup.Values, v => v.Key == "net.ipv4.tcp_keepalive_time").Value);
        Assert.DoesNotContain(backup.Values, v => v.Key == "net.netfilter.nf_conntrack_udp_timeout");
        Assert.Empty(Directory.GetFiles(_sys.Options.StateDirectory, "*.tmp"));
    }

    [Fact]
    public void Applying_twice_keeps_the_original_backup_and_revert_restores_exactly()
    {
        var original = _sys.Snapshot();
        var tuner = new Tuner(_sys.Options, _time);
        tuner.Apply();
        var firstBackup = File.ReadAllText(_sys.Options.BackupPath);

        // Something else raises a setting again between the two applies; its original stays the one from before.
        _sys.Set("net.ipv4.tcp_retries2", "12");
        _time.Advance(TimeSpan.FromHours(1));
        var second = tuner.Apply();

        Assert.Equal([new TuneChange("net.ipv4.tcp_retries2", "12", "8")], second);
        Assert.Equal(firstBackup, File.ReadAllText(_sys.Options.BackupPath));

        var reverted = tuner.Revert();

        Assert.NotNull(reverted);
        Assert.Equal(original, _sys.Snapshot());
        Assert.False(File.Exists(_sys.Options.DropInPath));
        Assert.False(File.Exists(_sys.Options.BackupPath));
        Assert.Null(tuner.Revert());
    }

    [Fact]
    public void A_drop_in_that_existed_before_apply_is_restored_by_revert()
    {
        File.WriteAllText(_sys.Options.DropInPath, "# mine\nnet.ipv4.tcp_retries2 = 10\n");
        var tuner = new Tuner(_sys.Options);

        tuner.Apply();
        Assert.StartsWith("# Written by 'rebound tune --apply'", File.ReadAllText(_sys.Options.DropInPath), StringComparison.Ordinal);
        tuner.Revert();

        Assert.Equal("# mine\nnet.ipv4.tcp_retries2 = 10\n", File.ReadAllText(_sys.Options.DropInPath));
    }

    [Fact]
    public void Nothing_to_change_writes_nothing()
    {
        foreach (var s in TuneSetting.Catalog)
        {
            _sys.Set(s.Key, s.RecommendedText);
        }

        Assert.Empty(new Tuner(_sys.Options).Apply());
        Assert.False(File.Exists(_sys.Options.BackupPath));
        Assert.False(File.Exists(_sys.Options.DropInPath));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"version":2,"values":{}}""")]
    [InlineData("""{"version":1,"values":{"../../etc/passwd":"x"}}""")]
    [InlineData("""{"version":1,"values":{"net.ipv4.tcp_retries2":"8\nevil = 1"}}""")]
    [InlineData("""{"version":1,"values":{"net.ipv4.tcp_retries2":8}}""")]
    public void A_corrupt_backup_is_a_one_line_tune_error_and_changes_nothing(string json)
    {
        Directory.CreateDirectory(_sys.Options.StateDirectory);
        File.WriteAllText(_sys.Options.BackupPath, json);
        var before = _sys.Snapshot();

        var error = Assert.Throws<TuneException>(() => new Tuner(_sys.Options).Revert());

        Assert.StartsWith(_sys.Options.BackupPath + ": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, _sys.Snapshot());
    }

    [Fact]
    public void A_setting_that_is_a_fifo_or_a_huge_backup_is_refused_without_hanging_or_filling_memory()
    {
        var path = Path.Combine(_sys.Options.ProcSysRoot, "net", "ipv4", "tcp_retries2");
        File.Delete(path);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var fifo = Assert.Throws<TuneException>(() => new Tuner(_sys.Options).Apply());
        Assert.Equal($"cannot read {path}: not a regular file", fifo.Message);

        Directory.CreateDirectory(_sys.Options.StateDirectory);
        using (var backup = File.Create(_sys.Options.BackupPath))
            backup.SetLength(Rebound.Configuration.BoundedFile.MaxConfigBytes + 1);
        var huge = Assert.Throws<TuneException>(() => new Tuner(_sys.Options).Revert());
        Assert.Equal($"cannot read {_sys.Options.BackupPath}: larger than 1024 KiB", huge.Message);
    }

    [Fact]
    public void An_unreadable_setting_is_a_one_line_error_naming_the_file()
    {
        var path = Path.Combine(_sys.Options.ProcSysRoot, "net", "ipv4", "tcp_retries2");
        File.Delete(path);
        Directory.CreateDirectory(path); // exists, but cannot be read as a file

        var error = Assert.Throws<TuneException>(() => new Tuner(_sys.Options).Apply());

        Assert.StartsWith($"cannot read {path}: ", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_sys.Options.BackupPath));
    }

    [Fact]
    public void WireGuard_dump_advice_lists_peers_without_keepalive_and_never_keys_of_the_interface()
    {
        const string dump = "wg0\tPRIVATEKEYPRIVATEKEYPRIVATEKEYPRIVATEKEY00=\tPUBLICIFACEKEY=\t51820\toff\n"
            + "wg0\tPEERA=\t(none)\t198.51.100.7:51820\t10.0.0.2/32\t1764140000\t100\t200\toff\n"
            + "wg0\tPEERB=\tPRESHAREDSECRET=\t198.51.100.8:51820\t10.0.0.3/32\t1764140000\t100\t200\t25\n"
            + "wg1\tPEERC=\t(none)\t(none)\t10.1.0.2/32\t0\t0\t0\toff\n";

        var advice = WireGuardKeepaliveAdvice.FromDump(dump);

        var only = Assert.Single(advice);
        Assert.Equal(("wg0", "PEERA=", "198.51.100.7:51820", 0), (only.Interface, only.PublicKey, only.Endpoint, only.PersistentKeepalive));
        Assert.DoesNotContain(advice, a => a.ToString().Contains("PRIVATE", StringComparison.Ordinal) || a.ToString().Contains("PRESHARED", StringComparison.Ordinal));
    }
}
