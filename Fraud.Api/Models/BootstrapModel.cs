using System.Diagnostics;
using System.Globalization;
using Fraud.Core.Detection.Forest;
using Fraud.Simulation;

namespace Fraud.Api.Models;

/// <summary>
/// A first model for a fresh installation: an Isolation Forest trained on simulated traffic (the producer's own
/// simulator, fixed seed), written to the model file when there is one. It stands in until a model trained on real
/// traffic is activated. The API trains it, on the training leader only, so detectors never carry the simulator.
/// </summary>
internal static class BootstrapModel
{
    private const int Seed = 20250913;

    public static IsolationForest Train(int transactions)
    {
        var simulator = new TransactionSimulator(new SimulationOptions { Seed = Seed });
        var trainingSet = new ForestTrainingSet();
        for (int i = 0; i < transactions; i++)
        {
            trainingSet.Add(simulator.Next().Transaction);
        }

        string version = string.Create(CultureInfo.InvariantCulture, $"if-bootstrap-s{Seed}-n{transactions}");
        return trainingSet.Fit(new IsolationForestOptions { Seed = Seed }, version);
    }

    /// <summary>Trains the model and writes it to <paramref name="path"/> atomically (a reader never sees half a file).</summary>
    public static void WriteTo(string path, int transactions, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = Train(transactions);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, model.Serialize());
        File.Move(temporary, path, overwrite: true);
        logger.LogInformation("No model at {Path}: trained bootstrap model {Version} on {Count} simulated transactions in {Elapsed:0.0} s",
            path, model.Version, transactions, stopwatch.Elapsed.TotalSeconds);
    }
}
