using System.Xml.Linq;

namespace Fraud.UnitTests.Architecture;

/// <summary>
/// The dependency rules between our projects, read from the project files: a forbidden reference fails here rather
/// than growing every host's output (the producer once shipped ML.NET because Fraud.Core carried the trainer).
/// </summary>
public sealed class ProjectReferenceTests
{
    private static readonly string[] Hosts = ["Fraud.Api", "Fraud.Detector", "Fraud.Producer", "Fraud.LocalKafka"];
    private static readonly IReadOnlyDictionary<string, ProjectFile> Projects = ProjectFile.ReadAll(ChildProcess.RepositoryRoot());

    [Fact]
    public void Core_references_no_project_of_ours_and_not_ML_NET()
    {
        var core = Projects["Fraud.Core"];

        Assert.Empty(core.ProjectReferences);
        Assert.DoesNotContain(core.PackageReferences, IsMlNet);
    }

    [Fact]
    public void Messaging_references_no_project_of_ours_but_Core()
    {
        var messaging = Projects["Fraud.Messaging"];

        Assert.Subset(new HashSet<string> { "Fraud.Core" }, messaging.ProjectReferences.ToHashSet());
    }

    [Fact]
    public void The_producer_carries_neither_the_training_code_nor_ML_NET()
    {
        var carried = Closure("Fraud.Producer");

        Assert.DoesNotContain("Fraud.Training", carried);
        Assert.DoesNotContain(carried.SelectMany(name => Projects[name].PackageReferences), IsMlNet);
    }

    [Fact]
    public void No_host_references_another_host()
    {
        var violations = Hosts
            .SelectMany(host => Closure(host).Where(name => name != host && Hosts.Contains(name)).Select(other => $"{host} → {other}"))
            .ToList();

        Assert.Empty(violations);
    }

    [Fact]
    public void Only_the_AppHost_and_the_tests_reference_the_local_broker()
    {
        var referencing = Projects.Values
            .Where(project => project.ProjectReferences.Contains("Fraud.LocalKafka"))
            .Select(project => project.Name)
            .ToHashSet();

        Assert.Contains("Fraud.AppHost", referencing);
        Assert.Subset(new HashSet<string> { "Fraud.AppHost", "Fraud.SystemTests" }, referencing);
    }

    private static bool IsMlNet(string package) => package.StartsWith("Microsoft.ML", StringComparison.OrdinalIgnoreCase);

    /// <summary>The project and every project it references, directly or through others.</summary>
    private static HashSet<string> Closure(string name)
    {
        Assert.True(Projects.ContainsKey(name), $"{name}.csproj not found");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && Projects.TryGetValue(next, out var project))
            {
                foreach (var reference in project.ProjectReferences)
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }

    /// <summary>A project file's name and what it references, by project name and package id.</summary>
    private sealed record ProjectFile(string Name, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> PackageReferences)
    {
        public static IReadOnlyDictionary<string, ProjectFile> ReadAll(string root) =>
            Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
                .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                .Select(Read)
                .ToDictionary(project => project.Name, StringComparer.Ordinal);

        private static ProjectFile Read(string path)
        {
            var items = XDocument.Load(path).Descendants();
            string Include(XElement item) => item.Attribute("Include")?.Value ?? "";

            return new ProjectFile(
                Path.GetFileNameWithoutExtension(path),
                items.Where(item => item.Name.LocalName == "ProjectReference")
                    .Select(item => Path.GetFileNameWithoutExtension(Include(item).Replace('\\', '/')))
                    .ToList(),
                items.Where(item => item.Name.LocalName == "PackageReference").Select(Include).ToList());
        }
    }
}
