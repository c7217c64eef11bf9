using System.Globalization;
using System.Net;
using Rebound.LabTools;

// rebound-labtools bad-stun --listen IP:PORT --mode garbage|slow|wrong-source|liar --claim IP:PORT [--reply-from IP] [--delay-ms N]
// Runs until killed. Used by the lab tests and the soak benchmark, inside the lab's "internet" namespace.
if (args.Length < 1 || args[0] != "bad-stun")
{
    Console.Error.WriteLine("usage: rebound-labtools bad-stun --listen IP:PORT --mode garbage|slow|wrong-source|liar --claim IP:PORT [--reply-from IP] [--delay-ms N]");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

var mode = options.GetValueOrDefault("--mode") switch
{
    "garbage" => BadStunMode.Garbage,
    "slow" => BadStunMode.Slow,
    "wrong-source" => BadStunMode.WrongSource,
    "liar" => BadStunMode.Liar,
    var other => throw new ArgumentException($"unknown --mode {other}"),
};
var listen = IPEndPoint.Parse(options["--listen"]);
var claim = IPEndPoint.Parse(options.GetValueOrDefault("--claim", "203.0.113.99:40000"));
var replyFrom = options.TryGetValue("--reply-from", out var from) ? IPAddress.Parse(from) : null;
var delay = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("--delay-ms", "3000"), CultureInfo.InvariantCulture));

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
Console.WriteLine($"bad-stun {mode} on {listen}");
try
{
    await new BadStunServer(listen, mode, claim, replyFrom, delay).RunAsync(stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
