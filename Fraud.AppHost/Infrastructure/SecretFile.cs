using System.Security.Cryptography;

namespace Fraud.AppHost.Infrastructure;

/// <summary>
/// Files of the state folder that hold a secret (a password, a configuration naming one). Each is created readable
/// and writable by its owner only (0600) by the call that creates it, so no other user of the machine can open it
/// in between, as a write followed by a chmod would allow.
/// </summary>
public static class SecretFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The secret kept in <paramref name="path"/>, or a new random one (32 hex digits) kept there from now on.</summary>
    public static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        var secret = RandomNumberGenerator.GetHexString(32, lowercase: true);
        Write(path, secret);
        return secret;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> as a new owner-only file, replacing any file there.</summary>
    public static void Write(string path, string content)
    {
        // Always a new file: the create mode applies only to a file that open() creates, never to one that exists.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(content);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
