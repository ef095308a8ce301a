using System.Text.Json;
using Fundament.Identity.Tokens;

namespace Fundament.Tests.Identity.Tokens;

public sealed class SigningKeyStoreTests : IDisposable
{
    private readonly TokenTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private string KeysDirectory => Path.Combine(_bed.Directory, SigningKeyStore.DirectoryName);

    private static string KidOf(string token)
    {
        using var header = JsonDocument.Parse(TokenTestBed.DecodeSegment(token.Split('.')[0]));
        return header.RootElement.GetProperty("kid").GetString()!;
    }

    private List<string> JwksKids()
    {
        using var jwks = JsonDocument.Parse(_bed.Jwks());
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    [Fact]
    public void The_first_open_generates_one_key_in_its_own_file()
    {
        var key = _bed.Keys.Current;
        Assert.Equal(16, key.Kid.Length);
        Assert.Null(key.RetiredAt);
        Assert.Equal(_bed.Clock.GetUtcNow(), key.CreatedAt);
        Assert.Equal([key.Kid + ".json"], Directory.GetFiles(KeysDirectory).Select(Path.GetFileName));

        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(KeysDirectory, key.Kid + ".json")));
        var root = file.RootElement;
        Assert.Equal(key.Kid, root.GetProperty("kid").GetString());
        Assert.Equal("ES256", root.GetProperty("alg").GetString());
        Assert.Equal("P-256", root.GetProperty("crv").GetString());
        Assert.Equal(43, root.GetProperty("d").GetString()!.Length);
        Assert.False(root.TryGetProperty("retiredAt", out _));
    }

    [Fact]
    public void Key_files_and_their_directory_are_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return; // Assert.Skip throws, but the platform analyzer cannot see that.
        }

        _bed.Keys.Rotate();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeysDirectory));
        Assert.Equal(2, Directory.GetFiles(KeysDirectory).Length);
        foreach (string file in Directory.GetFiles(KeysDirectory))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Opening_tightens_a_keys_directory_others_could_read()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return; // Assert.Skip throws, but the platform analyzer cannot see that.
        }

        File.SetUnixFileMode(KeysDirectory, (UnixFileMode)0b111_101_101);
        _bed.Reopen();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeysDirectory));
    }

    [Fact]
    public void Reopening_the_directory_yields_the_same_keys()
    {
        string before = _bed.Tokens.Issue("user1", "users");
        string firstKid = _bed.Keys.Current.Kid;
        var secondKey = _bed.Keys.Rotate();
        string jwks = _bed.Jwks();

        _bed.Reopen();

        Assert.Equal(secondKey.Kid, _bed.Keys.Current.Kid);
        Assert.Equal(_bed.Clock.GetUtcNow(), _bed.Keys.Find(firstKid)!.RetiredAt);
        Assert.Equal(jwks, _bed.Jwks());
        Assert.True(_bed.Tokens.TryValidate(before, out _));
    }

    [Fact]
    public void A_token_issued_before_a_rotation_still_validates_and_new_tokens_use_the_new_key()
    {
        string before = _bed.Tokens.Issue("user1", "users");
        string oldKid = _bed.Keys.Current.Kid;

        var fresh = _bed.Keys.Rotate();
        string after = _bed.Tokens.Issue("user1", "users");

        Assert.NotEqual(oldKid, fresh.Kid);
        Assert.Same(fresh, _bed.Keys.Current);
        Assert.Equal(oldKid, KidOf(before));
        Assert.Equal(fresh.Kid, KidOf(after));
        Assert.True(_bed.Tokens.TryValidate(before, out _));
        Assert.True(_bed.Tokens.TryValidate(after, out _));
        Assert.Equal([fresh.Kid, oldKid], JwksKids());
    }

    [Fact]
    public void A_retired_key_is_gone_once_its_grace_has_passed()
    {
        string oldKid = _bed.Keys.Current.Kid;
        var fresh = _bed.Keys.Rotate();

        _bed.ManualClock.Advance(SigningKeyStore.RetiredKeyGrace - TimeSpan.FromSeconds(1));
        Assert.NotNull(_bed.Keys.Find(oldKid));

        _bed.ManualClock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_bed.Keys.Find(oldKid));
        Assert.NotNull(_bed.Keys.Find(fresh.Kid));
        Assert.Equal([fresh.Kid], JwksKids());
        // Its file stays until the next Open or Rotate deletes it.
        Assert.True(File.Exists(Path.Combine(KeysDirectory, oldKid + ".json")));

        var third = _bed.Keys.Rotate();
        Assert.False(File.Exists(Path.Combine(KeysDirectory, oldKid + ".json")));
        Assert.Equal([third.Kid, fresh.Kid], JwksKids());
    }

    [Fact]
    public void Reopening_after_the_grace_deletes_the_retired_key_file()
    {
        string oldKid = _bed.Keys.Current.Kid;
        _bed.Keys.Rotate();
        _bed.ManualClock.Advance(SigningKeyStore.RetiredKeyGrace);

        _bed.Reopen();

        Assert.Null(_bed.Keys.Find(oldKid));
        Assert.Single(Directory.GetFiles(KeysDirectory));
    }

    [Fact]
    public void A_rotation_cut_short_by_a_crash_is_finished_on_the_next_open()
    {
        string oldKid = _bed.Keys.Current.Kid;
        string before = _bed.Tokens.Issue("user1", "users");
        // The newer key is told apart by its creation time.
        _bed.ManualClock.Advance(TimeSpan.FromMinutes(1));
        var fresh = _bed.Keys.Rotate();
        // Undo the second write of Rotate: the old key file as it was, not yet retired.
        string oldFile = Path.Combine(KeysDirectory, oldKid + ".json");
        string json = File.ReadAllText(oldFile);
        File.WriteAllText(oldFile, json[..json.IndexOf(",\n  \"retiredAt\"", StringComparison.Ordinal)] + "\n}");
        _bed.ManualClock.Advance(TimeSpan.FromMinutes(1));

        _bed.Reopen();

        Assert.Equal(fresh.Kid, _bed.Keys.Current.Kid);
        Assert.Equal(_bed.Clock.GetUtcNow(), _bed.Keys.Find(oldKid)!.RetiredAt);
        Assert.Contains("retiredAt", File.ReadAllText(oldFile), StringComparison.Ordinal);
        Assert.True(_bed.Tokens.TryValidate(before, out _));
    }

    [Fact]
    public void Leftover_temp_files_are_removed_on_open()
    {
        string temp = Path.Combine(KeysDirectory, "abc.json.tmp");
        File.WriteAllText(temp, "{");
        _bed.Reopen();
        Assert.False(File.Exists(temp));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"kid":"other","alg":"ES256","crv":"P-256","x":"","y":"","d":"","createdAt":"2030-01-01T00:00:00+00:00"}""")]
    public void A_damaged_key_file_stops_the_open(string content)
    {
        File.WriteAllText(Path.Combine(KeysDirectory, _bed.Keys.Current.Kid + ".json"), content);
        Assert.Throws<InvalidDataException>(() => SigningKeyStore.Open(_bed.Directory, _bed.Clock));
    }

    [Fact]
    public void A_key_whose_point_does_not_match_its_private_part_stops_the_open()
    {
        var other = _bed.Keys.Rotate();
        string path = Path.Combine(KeysDirectory, other.Kid + ".json");
        using var file = JsonDocument.Parse(File.ReadAllText(path));
        string x = file.RootElement.GetProperty("x").GetString()!;
        File.WriteAllText(path, File.ReadAllText(path).Replace(x, Convert.ToBase64String(_bed.Keys.Find(_bed.Keys.Current.Kid)!.Y).TrimEnd('=').Replace('+', '-').Replace('/', '_'), StringComparison.Ordinal));
        Assert.Throws<InvalidDataException>(() => SigningKeyStore.Open(_bed.Directory, _bed.Clock));
    }

    [Fact]
    public void The_JWKS_publishes_public_parts_only()
    {
        using var jwks = JsonDocument.Parse(_bed.Jwks());
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(["kty", "crv", "x", "y", "kid", "alg", "use"], key.EnumerateObject().Select(p => p.Name));
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal(43, key.GetProperty("x").GetString()!.Length);
        Assert.Equal(43, key.GetProperty("y").GetString()!.Length);
    }

    [Fact]
    public void Rotating_while_tokens_are_validated_never_refuses_a_live_token()
    {
        var failures = 0;
        Parallel.For(0, 400, i =>
        {
            if (i % 50 == 0)
            {
                _bed.Keys.Rotate();
            }

            if (!_bed.Tokens.TryValidate(_bed.Tokens.Issue("user" + i, "users"), out _))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(9, Directory.GetFiles(KeysDirectory).Length);
    }

    [Fact]
    public void A_disposed_store_refuses_to_rotate()
    {
        _bed.Keys.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _bed.Keys.Rotate());
    }
}
