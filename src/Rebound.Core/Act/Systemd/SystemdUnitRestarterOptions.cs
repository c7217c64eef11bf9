namespace Rebound.Act.Systemd;

public sealed class SystemdUnitRestarterOptions
{
    public const string DefaultSystemBusAddress = "unix:path=/run/dbus/system_bus_socket";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>D-Bus address of the system bus; null: <c>DBUS_SYSTEM_BUS_ADDRESS</c> or <see cref="DefaultSystemBusAddress"/>.</summary>
    public string? BusAddress { get; init; }

    /// <summary>How long the whole restart (call plus job) may take; systemd's own stop timeout is 90 s by default.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public static string SystemBusAddress(Func<string, string?>? environment = null)
    {
        var fromEnvironment = (environment ?? Environment.GetEnvironmentVariable)("DBUS_SYSTEM_BUS_ADDRESS");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultSystemBusAddress : fromEnvironment;
    }
}
