using System.Security.Cryptography;
using System.Text;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Act.Ddns;

/// <summary>
/// The per-installation random key DDNS target ids are derived with (HMAC-SHA256): an id is shown in
/// <c>/status.json</c>, <c>/metrics</c> and the journal, which any local user may read, and its input holds the
/// provider's credentials, so without the key an id must be useless for guessing them. Kept in the state directory
/// as <see cref="FileName"/> (hex, mode 0600), created once, atomically, and never rewritten: ids stay the same
/// across restarts and reloads.
/// </summary>
public sealed class TargetIdKey
{
    public const string FileName = "target-id.key";

    private const int KeyBytes = 32;

    private readonly byte[] _key;

    private TargetIdKey(byte[] key, bool persistent)
    {
        _key = key;
        IsPersistent = persistent;
    }

    /// <summary>False for a key made for this process alone (<see cref="Ephemeral"/>): its ids match no cached record.</summary>
    public bool IsPersistent { get; }

    /// <summary>A key for this process alone: ids that reveal nothing, stable only until it exits.</summary>
    public static TargetIdKey Ephemeral() => new(RandomNumberGenerator.GetBytes(KeyBytes), persistent: false);

    /// <summary>
    /// The key in <paramref name="stateDirectory"/>; when there is none and <paramref name="create"/>, a new one is
    /// written there first (if two processes race, both end with the one that landed first).
    /// </summary>
    /// <exception cref="IOException">It cannot be read or created, or is not a key; one line, never its content.</exception>
    /// <exception cref="UnauthorizedAccessException">The same, for permissions.</exception>
    public static TargetIdKey Load(string stateDirectory, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        if (create && !File.Exists(path))
        {
            var text = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n";
            AtomicFile.CreateOnce(path, stream => stream.Write(Encoding.ASCII.GetBytes(text)));
        }

        var content = BoundedFile.ReadText(path, BoundedFile.MaxSecretBytes).Trim();
        if (content.Length != KeyBytes * 2 || !content.All(Uri.IsHexDigit))
            throw new IOException($"{path} is not a target id key ({KeyBytes * 2} hex digits); remove it to make a new one (DDNS records are then sent once more)");
        return new TargetIdKey(Convert.FromHexString(content), persistent: true);
    }

    /// <summary>The key of a one-shot command: the installation's when readable, else <see cref="Ephemeral"/> (documented: every record then counts as not sent).</summary>
    public static TargetIdKey LoadOrEphemeral(string stateDirectory, bool create)
    {
        try
        {
            return Load(stateDirectory, create);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Ephemeral();
        }
    }

    /// <summary>HMAC-SHA256 of <paramref name="text"/> in hex.</summary>
    internal string Mac(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
}
