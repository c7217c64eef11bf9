using System.Globalization;
using Rebound.Record;
using Rebound.Record.Journal;

// Writes events to the journal at args[0] as fast as it can, numbering them from args[1]. After each batch is
// committed (FlushAsync returned and no write warning was raised), it prints the batch's numbers, one per line.
// The parent kills it with SIGKILL at a random moment and checks that every printed number is in the file.
if (args.Length != 2 || !long.TryParse(args[1], CultureInfo.InvariantCulture, out var next))
{
    await Console.Error.WriteLineAsync("usage: Rebound.JournalCrashWriter JOURNAL_PATH FIRST_NUMBER");
    return 2;
}

var failed = false;
await using var journal = EventJournal.Start(
    new EventJournalOptions { Path = args[0], MaxEvents = 10_000_000, Retention = TimeSpan.FromDays(3650), MaxBatch = 64 },
    TimeProvider.System,
    warning =>
    {
        failed = true;
        Console.Error.WriteLine(warning);
    });
if (!journal.IsEnabled)
    return 3;

var random = new Random();
var padding = new string('x', 200);
while (true)
{
    int count = random.Next(1, 40);
    for (long n = next; n < next + count; n++)
    {
        var time = DateTimeOffset.UtcNow;
        journal.Append(new JournalLine(time, "crash-test", $"n{n}", $"{{\"time\":\"{EventTime.Format(time)}\",\"event\":\"crash-test\",\"n\":{n},\"pad\":\"{padding}\"}}"));
    }

    await journal.FlushAsync();
    if (failed)
        return 4;
    for (long n = next; n < next + count; n++)
        Console.Out.WriteLine(n.ToString(CultureInfo.InvariantCulture));
    next += count;
}
