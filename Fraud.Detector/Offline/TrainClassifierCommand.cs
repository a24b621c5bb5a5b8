using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Fraud.CommandLine;
using Fraud.Core;
using Fraud.Core.Detection.Supervised;
using Fraud.Core.Features;
using Fraud.Training;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>train-classifier</c>: learns a <see cref="GradientBoostedClassifier"/> from a file of transactions and
/// their labels (a labels file, or the CSV's <c>is_fraud</c> column), respecting time: with <c>--as-of</c>, only transactions whose label was known then
/// (<see cref="LabelDelay"/>) become rows, and nothing after <c>--as-of</c> is read into the model.
/// </summary>
internal static class TrainClassifierCommand
{
    public static Command Create()
    {
        var defaults = new GradientBoostingOptions();
        var input = TransactionInputOptions.InputOption();
        var labels = EvaluateCommand.LabelsOption();
        var output = new Option<FileInfo>("--output") { Description = "Where to write the classifier file (JSON).", Required = true };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "Train as of this time (ISO-8601, UTC unless it says otherwise): learn only from labels known by then. Omit to learn from every labelled transaction.",
            CustomParser = result => CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time)
                ? time
                : Error<DateTimeOffset?>(result, $"--as-of: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2025-09-15T00:00:00Z."),
        };
        var labelDelay = new Option<TimeSpan>("--label-delay")
        {
            Description = $"How long after a transaction its label is known, in whole days: what --as-of may learn from, and how far back the merchant risk features look (the classifier records it), e.g. 7d.",
            DefaultValueFactory = _ => TimeSpan.FromDays(7),
            CustomParser = result => CommandLineValues.TryParseSpan(result.Tokens.Single().Value, out var span)
                ? span
                : Error<TimeSpan>(result, $"--label-delay: '{result.Tokens.Single().Value}' is not a span such as {CommandLineValues.SpanExamples}."),
        };
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "Learn only from transactions at or after this time (ISO-8601, UTC unless it says otherwise); earlier ones still build the users' histories and the merchants' counts.",
            CustomParser = result => CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time)
                ? time
                : Error<DateTimeOffset?>(result, $"--from: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2025-09-15T00:00:00Z."),
        };
        var trees = new Option<int>("--trees") { Description = "Boosting rounds.", DefaultValueFactory = _ => defaults.Trees };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => defaults.Leaves };
        var minRowsPerLeaf = new Option<int>("--min-rows-per-leaf") { Description = "Fewest training rows in a leaf.", DefaultValueFactory = _ => defaults.MinRowsPerLeaf };
        var learningRate = new Option<double>("--learning-rate") { Description = "Shrinkage of each tree.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed and data give the same model.", DefaultValueFactory = _ => defaults.Seed };
        var inputOptions = new TransactionInputOptions(input);
        var command = new Command("train-classifier", "Learn a gradient-boosted fraud classifier from labelled transactions (ML.NET FastTree).")
        {
            input, labels, output, asOf, labelDelay, from, trees, leaves, minRowsPerLeaf, learningRate, seed,
        };
        inputOptions.AddTo(command);
        inputOptions.TakeLabelsFromCsvUnless(labels, command);
        command.SetAction(parse => Run(
            inputOptions.Get(parse)!,
            parse.GetValue(labels),
            parse.GetRequiredValue(output),
            parse.GetValue(asOf) is { } trainedAt ? new LabelDelay(trainedAt, parse.GetValue(labelDelay)) : null,
            parse.GetValue(from),
            Options(parse.GetValue(trees), parse.GetValue(leaves), parse.GetValue(minRowsPerLeaf), parse.GetValue(learningRate), parse.GetValue(seed),
                parse.GetValue(labelDelay))));
        return command;
    }

    private static T Error<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }

    private static GradientBoostingOptions Options(int trees, int leaves, int minRowsPerLeaf, double learningRate, int seed, TimeSpan merchantLabelDelay) =>
        new() { Trees = trees, Leaves = leaves, MinRowsPerLeaf = minRowsPerLeaf, LearningRate = learningRate, Seed = seed, MerchantLabelDelay = merchantLabelDelay };

    private static int Run(TransactionInput input, FileInfo? labelsFile, FileInfo output, LabelDelay? delay, DateTimeOffset? from, GradientBoostingOptions options)
    {
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new BadInputException(string.Join(Environment.NewLine, problems.Select(problem => "--" + problem.Replace('_', '-'))));
        }

        var merchantOptions = new MerchantRiskOptions { LabelDelay = options.MerchantLabelDelay };
        try
        {
            merchantOptions.Validate();
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new BadInputException($"--label-delay: {exception.Message}");
        }

        var stopwatch = Stopwatch.StartNew();
        var labelSkips = new SkippedLines(labelsFile?.ToString() ?? string.Empty);
        var labels = labelsFile is null ? new Dictionary<string, Label>(StringComparer.Ordinal) : EvaluateCommand.ReadLabels(labelsFile, labelSkips);
        var inputSkips = new SkippedLines(input.ToString());
        var trainingSet = new LabelledTrainingSet(merchantOptions: merchantOptions);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        DateTimeOffset? newestRow = null;
        long unlabelled = 0, future = 0, early = 0;
        input.Read(inputSkips, $"Replaying {input}", (transaction, line) =>
        {
            if (delay is not null && transaction.Ts > delay.TrainedAt)
            {
                future++;   // after the training time: the model must not have seen it
                return null;
            }

            bool? isFraud = labels.TryGetValue(transaction.TxId, out var label) && (delay?.Knows(transaction.Ts) ?? true) && !(transaction.Ts < from)
                ? label.IsFraud
                : null;
            trainingSet.Add(transaction, isFraud);
            MerchantLabels.Fold(trainingSet.Merchants, transaction, labels, counted: true);
            early += transaction.Ts < from ? 1 : 0;
            if (isFraud is { } fraud)
            {
                hash.AppendData(line);
                hash.AppendData(fraud ? "|1"u8 : "|0"u8);
                newestRow = newestRow > transaction.Ts ? newestRow : transaction.Ts;
            }
            else if (!(transaction.Ts < from))
            {
                unlabelled++;
            }

            return null;
        }, labelsFile is null ? labels : null);

        if (trainingSet.FraudCount == 0 || trainingSet.FraudCount == trainingSet.RowCount)
        {
            throw new BadInputException(
                $"{input}: {trainingSet.RowCount:N0} transactions with a known label, {trainingSet.FraudCount:N0} of them fraud; training needs both classes.");
        }

        string version = Version(newestRow!.Value, hash, options);
        var classifier = Terminal.Out.Status().Start(
            $"Boosting {options.Trees} trees on {trainingSet.RowCount:N0} rows",
            _ => trainingSet.Fit(options, version));
        using (var sink = DetectionInputs.CreateOutput(output))
        {
            sink.Write(classifier.Serialize());
        }

        var summary = new Table().Title($"Trained {Markup.Escape(output.ToString())}").HideHeaders().AddColumns("", "");
        summary.AddRow("classifier version", Markup.Escape(classifier.Version));
        summary.AddRow("training rows", $"{trainingSet.RowCount:N0}, {trainingSet.FraudCount:N0} fraud ({trainingSet.FraudCount / (double)trainingSet.RowCount:P2})");
        summary.AddRow("labels known up to", delay is null ? "every label (no --as-of)" : $"{delay.LastLabelled:u} (as of {delay.TrainedAt:u}, delay {delay.Delay.TotalDays:0.##} d)");
        summary.AddRow("transactions without a known label", $"{unlabelled:N0} (histories only)");
        summary.AddRow("transactions after --as-of", $"{future:N0} (not read)");
        summary.AddRow("transactions before --from", $"{early:N0} (histories and merchant counts only)");
        summary.AddRow("merchant risk", $"{trainingSet.Merchants.TrackedMerchants:N0} merchants, label delay {options.MerchantLabelDelay.TotalDays:0.##} d");
        summary.AddRow("invalid lines skipped", $"{labelSkips.Count + inputSkips.Count:N0}");
        summary.AddRow("features", $"all {FeatureSchema.Count}");
        summary.AddRow("trees × leaves, learning rate", $"{options.Trees} × {options.Leaves}, {options.LearningRate.ToString(CultureInfo.InvariantCulture)}");
        summary.AddRow("elapsed", $"{stopwatch.Elapsed.TotalSeconds:0.0} s");
        Terminal.Out.Write(summary);
        return ExitCodes.ForSkipped(labelSkips.Count + inputSkips.Count);
    }

    /// <summary><c>gb-2025-09-07-1a2b3c4d</c>: the day of the newest labelled row and a hash of the rows, labels and parameters.</summary>
    private static string Version(DateTimeOffset newest, IncrementalHash data, GradientBoostingOptions options)
    {
        data.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"|{options.Trees}|{options.Leaves}|{options.MinRowsPerLeaf}|{options.LearningRate}|{options.Seed}|{options.MerchantLabelDelay.TotalDays}")));
        return $"gb-{newest.UtcDateTime:yyyy-MM-dd}-{Convert.ToHexStringLower(data.GetHashAndReset())[..8]}";
    }
}
