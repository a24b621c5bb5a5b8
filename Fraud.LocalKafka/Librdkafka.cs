using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Microsoft.Win32.SafeHandles;

namespace Fraud.LocalKafka;

/// <summary>
/// The few librdkafka C functions this host needs (rdkafka.h and rdkafka_mock.h of librdkafka 2.16).
/// The mock API is marked experimental upstream, with no ABI guarantee: re-check these signatures
/// when the librdkafka.redist version changes.
/// </summary>
internal static unsafe partial class Librdkafka
{
    private const string LibraryName = "librdkafka";

    /// <summary>rd_kafka_type_t.RD_KAFKA_PRODUCER</summary>
    public const int ProducerType = 0;

    /// <summary>The file the native library was loaded from (for diagnostics).</summary>
    public static string? LoadedFrom { get; private set; }

    // The static constructor runs before any of the P/Invokes below is first bound, so the resolver
    // is always in place when the runtime looks for "librdkafka".
    static Librdkafka() => NativeLibrary.SetDllImportResolver(typeof(Librdkafka).Assembly, Resolve);

    public static string Version => Marshal.PtrToStringUTF8(VersionString()) ?? "unknown";

    public static string ErrorReason(ErrorCode error) => Marshal.PtrToStringUTF8(ErrorToString(error)) ?? error.ToString();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_version_str")]
    private static partial nint VersionString();

    /// <remarks>Returns a static string: never freed.</remarks>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    private static partial nint ErrorToString(ErrorCode error);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    /// <returns>rd_kafka_conf_res_t: 0 (RD_KAFKA_CONF_OK) on success.</returns>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <remarks>On success the handle owns <paramref name="conf"/>; on failure the caller still does.</remarks>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    public static partial KafkaHandle New(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint rk);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial MockClusterHandle MockClusterNew(KafkaHandle rk, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(nint mcluster);

    /// <remarks>Returns "host:port,..." owned by the cluster: never freed.</remarks>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint MockClusterBootstraps(MockClusterHandle mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_controller_id")]
    public static partial void MockSetControllerId(MockClusterHandle mcluster, int controllerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(MockClusterHandle mcluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial ErrorCode MockTopicCreate(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void MockBrokerSetHostPort(MockClusterHandle mcluster, int brokerId, string host, int port);

    /// <summary>
    /// Loads librdkafka from the librdkafka.redist files copied next to the app. On Linux the package's
    /// default build links libsasl2.so.3, which Debian 12 lacks, so (as Confluent.Kafka does) fall back to
    /// its CentOS 8 build, which does not. No system-wide librdkafka is tried: an older one may lack the
    /// mock functions.
    /// </summary>
    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return 0;
        }

        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string nativeDirectory = Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{architecture}", "native");
        string[] candidates = os switch
        {
            "win" => ["librdkafka.dll"],
            "osx" => ["librdkafka.dylib"],
            _ => ["librdkafka.so", "centos8-librdkafka.so"],
        };

        var failures = new List<string>();
        foreach (string candidate in candidates)
        {
            string path = Path.Combine(nativeDirectory, candidate);
            try
            {
                nint handle = NativeLibrary.Load(path);
                LoadedFrom = path;
                return handle;
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                failures.Add(ex.Message);
            }
        }

        throw new DllNotFoundException($"Cannot load librdkafka from {nativeDirectory}: {string.Join(" | ", failures)}");
    }
}

/// <summary>An rd_kafka_t handle.</summary>
internal sealed class KafkaHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public KafkaHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        Librdkafka.Destroy(handle);
        return true;
    }
}

/// <summary>
/// An rd_kafka_mock_cluster_t handle. It keeps its rd_kafka_t alive (a SafeHandle reference) so the
/// cluster is always destroyed before the client it was created on, whatever order they are disposed in.
/// </summary>
internal sealed class MockClusterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private KafkaHandle? _owner;

    public MockClusterHandle() : base(ownsHandle: true)
    {
    }

    public void HoldOwner(KafkaHandle owner)
    {
        bool added = false;
        owner.DangerousAddRef(ref added);
        _owner = owner;
    }

    protected override bool ReleaseHandle()
    {
        Librdkafka.MockClusterDestroy(handle);
        _owner?.DangerousRelease();
        return true;
    }
}
