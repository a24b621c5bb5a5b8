using k8s.Models;

namespace Fraud.Deploy;

/// <summary>
/// The user an image runs as and the folders it writes to, so that its pod can run with a read-only root filesystem
/// (an emptyDir on each of those folders) as that non-root user.
/// </summary>
internal sealed record ImageProfile(long User, IReadOnlyList<string> WritableFolders)
{
    /// <summary>The .NET images' <c>app</c> user (<c>APP_UID</c>); the runtime puts its diagnostics socket in /tmp.</summary>
    public static ImageProfile DotNet { get; } = new(1654, ["/tmp"]);

    /// <summary>The profile of an image the AppHost declares; an unknown image is an error, never a pod running as root.</summary>
    public static ImageProfile Of(string image) => Repository(image) switch
    {
        "postgres" => new(999, ["/var/run/postgresql", "/tmp"]),        // user postgres; its socket and lock file
        "redis" => new(999, []),                                         // user redis; writes its data folder only
        "redpandadata/redpanda" => new(101, ["/etc/redpanda", "/tmp"]),  // user redpanda; rpk writes redpanda.yaml at start
        _ => throw new InvalidDataException($"{image}: its non-root user and writable folders are unknown; add them to {nameof(ImageProfile)}."),
    };

    /// <summary><c>docker.io/library/postgres:18.3</c> → <c>postgres</c>, <c>docker.redpanda.com/redpandadata/redpanda:v23.3.10</c> → <c>redpandadata/redpanda</c>.</summary>
    private static string Repository(string image)
    {
        var parts = image.Split('/').ToList();
        if (parts.Count > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal)))
        {
            parts.RemoveAt(0);   // the registry
        }

        if (parts is ["library", _])
        {
            parts.RemoveAt(0);
        }

        parts[^1] = parts[^1].Split(':')[0];
        return string.Join('/', parts);
    }
}

/// <summary>
/// Makes a pod meet the Kubernetes "restricted" Pod Security Standard, and then some: non-root, no privilege
/// escalation, every capability dropped, the runtime's default seccomp profile, a read-only root filesystem, and no
/// service-account token (nothing here talks to the Kubernetes API).
/// </summary>
internal static class PodSecurity
{
    public static V1PodSpec Restricted(V1PodSpec pod, ImageProfile image)
    {
        pod.AutomountServiceAccountToken = false;
        pod.SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = image.User,
            RunAsGroup = image.User,
            FsGroup = image.User,   // volumes (a StatefulSet's claim) become writable by the image's user
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        };
        var writable = image.WritableFolders.Select(folder => (Name: VolumeName(folder), Folder: folder)).ToList();
        foreach (var container in pod.Containers)
        {
            container.SecurityContext = new V1SecurityContext
            {
                RunAsNonRoot = true,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            };
            var mounts = (container.VolumeMounts ?? []).Concat(writable.Select(volume => new V1VolumeMount { Name = volume.Name, MountPath = volume.Folder })).ToList();
            container.VolumeMounts = mounts.Count == 0 ? null : mounts;
        }

        var volumes = (pod.Volumes ?? []).Concat(writable.Select(volume => new V1Volume { Name = volume.Name, EmptyDir = new V1EmptyDirVolumeSource() })).ToList();
        pod.Volumes = volumes.Count == 0 ? null : volumes;
        return pod;
    }

    /// <summary><c>/var/run/postgresql</c> → <c>var-run-postgresql</c>.</summary>
    private static string VolumeName(string folder) => folder.Trim('/').Replace('/', '-');
}
