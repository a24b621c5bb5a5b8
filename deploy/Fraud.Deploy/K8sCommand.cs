using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Spectre.Console;

namespace Fraud.Deploy;

/// <summary>
/// <c>k8s</c>: writes <c>deploy/k8s</c> from the AppHost's manifest, or with <c>--check</c> reports every file that
/// differs from what it would write. Exit codes: 0 written or in sync, 1 drift found by <c>--check</c>, 2 bad usage or
/// an unreadable manifest.
/// </summary>
internal static class K8sCommand
{
    private const int Drift = 1;
    private const int BadInput = 2;

    public static Command Create()
    {
        var manifest = new Option<FileInfo?>("--manifest")
        {
            Description = "The AppHost's manifest (aspire-manifest.json, published with --Publish:Target=kubernetes). Omitted: publish it from Fraud.AppHost (which must be built).",
        };
        var output = new Option<DirectoryInfo?>("--output") { Description = "Where the kustomize tree goes; deploy/k8s of this repository by default." };
        var check = new Option<bool>("--check") { Description = "Write nothing; exit 1 and list the files that differ from what would be generated." };
        var command = new Command("k8s", "Generate the Kubernetes manifests (kustomize base, dev and prod overlays) from the AppHost.") { manifest, output, check };
        command.SetAction(parse => Run(parse.GetValue(manifest), parse.GetValue(output), parse.GetValue(check)));
        return command;
    }

    private static int Run(FileInfo? manifestFile, DirectoryInfo? outputFolder, bool check)
    {
        string root = RepositoryRoot();
        string output = outputFolder?.FullName ?? Path.Combine(root, "deploy", "k8s");
        string? temporary = null;
        try
        {
            string manifestPath = manifestFile?.FullName ?? (temporary = Publish(root));
            var files = KustomizeLayout.Files(AspireManifest.Read(manifestPath));
            return check ? Check(files, output) : Write(files, output);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{exception.Message}[/]");
            return BadInput;
        }
        finally
        {
            if (temporary is not null)
            {
                Directory.Delete(Path.GetDirectoryName(temporary)!, recursive: true);
            }
        }
    }

    private static int Write(SortedDictionary<string, string> files, string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);   // a resource the AppHost no longer declares must not linger
        }

        foreach (var (path, content) in files)
        {
            string target = Path.Combine(output, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }

        AnsiConsole.MarkupLineInterpolated($"Wrote {files.Count} files to {output}.");
        return 0;
    }

    private static int Check(SortedDictionary<string, string> files, string output)
    {
        var existing = Directory.Exists(output)
            ? Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Select(file => Path.GetRelativePath(output, file).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal)
            : [];
        var drift = files
            .Where(pair => !existing.Contains(pair.Key) || File.ReadAllText(Path.Combine(output, pair.Key)) != pair.Value)
            .Select(pair => existing.Contains(pair.Key) ? $"changed: {pair.Key}" : $"missing: {pair.Key}")
            .Concat(existing.Where(path => !files.ContainsKey(path)).Select(path => $"not generated: {path}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (string line in drift)
        {
            Console.Error.WriteLine(line);
        }

        Console.Out.WriteLine(drift.Count == 0
            ? $"{output} is in sync with the AppHost ({files.Count} files)."
            : $"{drift.Count} file(s) differ from what the AppHost generates; run: dotnet run --project deploy/Fraud.Deploy -- k8s");
        return drift.Count == 0 ? 0 : Drift;
    }

    /// <summary>Publishes the AppHost's manifest for Kubernetes (containers mode, as publishing always is) into a temporary folder.</summary>
    private static string Publish(string root)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("fraud-manifest-").FullName, "aspire-manifest.json");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "run", "--project", Path.Combine(root, "Fraud.AppHost"), "--no-build", "-c", BuildConfiguration,
                "--", "--publisher", "manifest", "--output-path", path, "--Publish:Target=kubernetes",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Publishing the AppHost's manifest failed ({process.ExitCode}); build it first. {stderr}{stdout.Result}");
    }

    /// <summary>The configuration this tool was built in; the AppHost is built alongside it.</summary>
    private static string BuildConfiguration =>
        typeof(K8sCommand).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Fraud.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run this inside the repository (no Fraud.sln above the current folder).");
    }
}
