using System.Buffers.Text;
using System.Collections.Immutable;
using System.Text.Json;

namespace Fundament.Identity.Tokens;

/// <summary>
/// The ES256 keys that sign access tokens, kept in <c>&lt;data&gt;/keys/</c> (one owner-only file per key).
/// The first start generates a key; <see cref="Rotate"/> adds a new current key and retires the old one, which
/// keeps verifying for <see cref="RetiredKeyGrace"/> so tokens it signed live out their lifetime.
/// Reads are lock-free: the key list is an immutable snapshot swapped atomically by <see cref="Rotate"/>.
/// </summary>
public sealed class SigningKeyStore : IDisposable
{
    public const string DirectoryName = "keys";

    /// <summary>
    /// How long a retired key still verifies. Must exceed the longest access-token lifetime plus clock skew
    /// (<see cref="AccessTokens"/> checks this), or a rotation would cut live tokens off.
    /// </summary>
    public static readonly TimeSpan RetiredKeyGrace = TimeSpan.FromDays(1);

    private readonly string _directory;
    private readonly TimeProvider _clock;
    private readonly Lock _writeLock = new();
    // Every ECDsa this store created or loaded. Keys dropped after their grace are not disposed until the store
    // is, because a validation that read the previous snapshot may still be using them.
    private readonly List<SigningKey> _owned;
    private volatile Snapshot _snapshot;
    private bool _disposed;

    private SigningKeyStore(string directory, TimeProvider clock, List<SigningKey> owned, Snapshot snapshot)
    {
        _directory = directory;
        _clock = clock;
        _owned = owned;
        _snapshot = snapshot;
    }

    /// <summary>The key new tokens are signed with: the newest key that is not retired.</summary>
    public SigningKey Current => _snapshot.Current;

    /// <summary>Loads the keys in <c>&lt;dataDirectory&gt;/keys/</c>, generating the first one when there is none.</summary>
    /// <exception cref="InvalidDataException">A key file is damaged.</exception>
    public static SigningKeyStore Open(string dataDirectory, TimeProvider clock)
    {
        string directory = Path.Combine(dataDirectory, DirectoryName);
        CreateOwnerOnlyDirectory(directory);
        SigningKeyFile.DeleteLeftovers(directory);

        var loaded = new List<SigningKey>();
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, "*" + SigningKeyFile.Extension))
            {
                loaded.Add(SigningKeyFile.Read(path));
            }

            var now = clock.GetUtcNow();
            var keys = new List<SigningKey>();
            SigningKey? current = null;
            loaded.Sort(NewestFirst);
            foreach (var key in loaded)
            {
                var kept = key;
                if (key.RetiredAt is null && current is not null)
                {
                    // Two unretired keys mean a crash in the middle of Rotate: finish it.
                    kept = key.RetiredOn(now);
                    SigningKeyFile.Write(directory, kept);
                }

                if (!kept.VerifiesAt(now))
                {
                    File.Delete(SigningKeyFile.PathFor(directory, kept.Kid));
                    continue;
                }

                current ??= kept.RetiredAt is null ? kept : null;
                keys.Add(kept);
            }

            if (current is null)
            {
                current = SigningKey.Generate(now);
                loaded.Add(current);
                SigningKeyFile.Write(directory, current);
                keys.Insert(0, current);
            }

            return new SigningKeyStore(directory, clock, loaded, new Snapshot(current, [.. keys]));
        }
        catch
        {
            foreach (var key in loaded)
            {
                key.Ecdsa.Dispose();
            }

            throw;
        }
    }

    /// <summary>Finds a key that may verify a token now: the current key, or one retired within the grace.</summary>
    public SigningKey? Find(string kid)
    {
        var now = _clock.GetUtcNow();
        foreach (var key in _snapshot.Keys)
        {
            if (string.Equals(key.Kid, kid, StringComparison.Ordinal))
            {
                return key.VerifiesAt(now) ? key : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Makes a new current key and retires the previous one, persisting both, and forgets keys whose grace has
    /// passed. Tokens signed before the rotation stay valid until they expire.
    /// </summary>
    public SigningKey Rotate()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _clock.GetUtcNow();
            var previous = _snapshot;
            var fresh = SigningKey.Generate(now);
            _owned.Add(fresh);
            // New key first: if the process dies between the two writes, Open sees two unretired keys and retires
            // the older, which is exactly where this method would have ended.
            SigningKeyFile.Write(_directory, fresh);
            var retired = previous.Current.RetiredOn(now);
            SigningKeyFile.Write(_directory, retired);

            var keys = ImmutableArray.CreateBuilder<SigningKey>(previous.Keys.Length + 1);
            keys.Add(fresh);
            foreach (var key in previous.Keys)
            {
                if (key == previous.Current)
                {
                    keys.Add(retired);
                }
                else if (key.VerifiesAt(now))
                {
                    keys.Add(key);
                }
                else
                {
                    File.Delete(SigningKeyFile.PathFor(_directory, key.Kid));
                }
            }

            _snapshot = new Snapshot(fresh, keys.ToImmutable());
            return fresh;
        }
    }

    /// <summary>
    /// Writes the JWK Set (RFC 7517 §5) served at <c>/.well-known/jwks.json</c>: the public half of every key that
    /// verifies tokens now, so clients that cache it keep accepting tokens across a rotation.
    /// </summary>
    public void WriteJwks(Utf8JsonWriter writer)
    {
        var now = _clock.GetUtcNow();
        writer.WriteStartObject();
        writer.WriteStartArray("keys");
        foreach (var key in _snapshot.Keys)
        {
            if (!key.VerifiesAt(now))
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("crv", SigningKey.Curve);
            writer.WriteString("x", Base64Url.EncodeToString(key.X));
            writer.WriteString("y", Base64Url.EncodeToString(key.Y));
            writer.WriteString("kid", key.Kid);
            writer.WriteString("alg", SigningKey.Algorithm);
            writer.WriteString("use", "sig");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var key in _owned)
            {
                key.Ecdsa.Dispose();
            }
        }
    }

    /// <summary>
    /// The order Rotate keeps in memory: unretired keys, then retired ones by retirement, each newest first; the
    /// kid breaks ties so every start picks the same current key.
    /// </summary>
    private static int NewestFirst(SigningKey a, SigningKey b)
    {
        int order = (a.RetiredAt is null).CompareTo(b.RetiredAt is null);
        order = order != 0 ? -order : Nullable.Compare(b.RetiredAt, a.RetiredAt);
        order = order != 0 ? order : b.CreatedAt.CompareTo(a.CreatedAt);
        return order != 0 ? order : string.CompareOrdinal(a.Kid, b.Kid);
    }

    private static void CreateOwnerOnlyDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(directory, OwnerOnly);
        // CreateDirectory leaves an existing directory's mode alone; private keys must not be listable by others.
        File.SetUnixFileMode(directory, OwnerOnly);
    }

    /// <summary>Keys newest first; <see cref="Current"/> is among them.</summary>
    private sealed record Snapshot(SigningKey Current, ImmutableArray<SigningKey> Keys);
}
