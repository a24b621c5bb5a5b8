using System.Runtime.Versioning;
using Fraud.AppHost.Infrastructure;

namespace Fraud.SystemTests.AppHost;

/// <summary>Secret files of the local state folder are their owner's only, whatever was there before.</summary>
[UnsupportedOSPlatform("windows")]   // file modes are Unix's; local mode runs on Debian
public sealed class SecretFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-secret-file-");

    [Fact]
    public void A_new_secret_is_random_kept_owner_only_and_read_back_on_the_next_start()
    {
        var path = Path.Combine(_folder.FullName, "service.password");

        var created = SecretFile.ReadOrCreate(path);

        Assert.Matches("^[0-9a-f]{32}$", created);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(created, SecretFile.ReadOrCreate(path));
        Assert.NotEqual(created, SecretFile.ReadOrCreate(Path.Combine(_folder.FullName, "other.password")));
    }

    [Fact]
    public void Writing_over_a_world_readable_file_leaves_an_owner_only_one_and_no_temporary_file()
    {
        var path = Path.Combine(_folder.FullName, "redis.conf");
        File.WriteAllText(path, "left by an older version");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        SecretFile.Write(path, "requirepass 0123\n");

        Assert.Equal("requirepass 0123\n", File.ReadAllText(path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_folder.FullName));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
