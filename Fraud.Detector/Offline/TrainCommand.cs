using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Fraud.CommandLine;
using Fraud.Core.Detection.Forest;
using Fraud.Core.Features;
using Spectre.Console;

namespace Fraud.Detector.Offline;

/// <summary>
/// <c>train</c>: replays a file of transactions (JSONL or CSV), in order, through the same per-user feature state as the
/// online detector, fits an Isolation Forest on the feature vectors and writes the model file. The version id,
/// <c>if-&lt;date of the last transaction&gt;-&lt;hash&gt;</c>, depends only on the valid input lines (a CSV row as its JSON) and the
/// parameters, so the same data and options always give the same model.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new IsolationForestOptions();
        var input = TransactionInputOptions.InputOption();
        var output = new Option<FileInfo>("--output") { Description = "Where to write the model file.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed and data give the same model.", DefaultValueFactory = _ => defaults.Seed };
        var contamination = new Option<double?>("--contamination")
        {
            Description = "Expected share of anomalies in (0, 0.5]; sets the threshold at that quantile of the training scores. Omit for scikit-learn's \"auto\" (threshold -0.5).",
        };
        var estimators = new Option<int>("--estimators") { Description = "Number of trees.", DefaultValueFactory = _ => defaults.Estimators };
        var maxSamples = new Option<int>("--max-samples") { Description = "Rows each tree is grown on.", DefaultValueFactory = _ => defaults.MaxSamples };
        var featureNames = new Option<string[]>("--features")
        {
            Description = $"Comma-separated features to train on. Default: all but the context features, i.e. {string.Join(",", FeatureSchema.ForestDefaults)}. All: {string.Join(",", FeatureSchema.Names)}.",
            CustomParser = result => result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
            DefaultValueFactory = _ => [.. FeatureSchema.ForestDefaults],
        };
        featureNames.Validators.Add(result =>
        {
            var names = result.GetValueOrDefault<string[]>() ?? [];
            if (names.Length == 0 || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            {
                result.AddError("--features needs distinct feature names.");
            }
            else if (names.FirstOrDefault(name => !FeatureSchema.Names.Contains(name)) is { } unknown)
            {
                result.AddError($"--features: '{unknown}' is not a feature; they are {string.Join(", ", FeatureSchema.Names)}.");
            }
            else if (names.FirstOrDefault(name => FeatureSchema.MerchantNames.Contains(name)) is { } merchant)
            {
                result.AddError($"--features: '{merchant}' comes from fraud labels; a forest learns without them (train-classifier uses it).");
            }
        });
        contamination.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && !(value > 0 && value <= 0.5))
            {
                result.AddError("--contamination must be greater than 0 and at most 0.5.");
            }
        });
        estimators.Validators.Add(result => RequirePositive(result, "--estimators"));
        maxSamples.Validators.Add(result => RequirePositive(result, "--max-samples"));

        var from = TimeOption("--from", "Fit only on transactions at or after this time (ISO-8601, UTC unless it says otherwise); earlier ones still build the users' histories.");
        var until = TimeOption("--until", "Fit only on transactions before this time; later ones are not read.");
        var inputOptions = new TransactionInputOptions(input);
        var command = new Command("train", "Fit an Isolation Forest on the features of a file of transactions (JSONL, or CSV with a column mapping).")
        {
            input, output, seed, contamination, estimators, maxSamples, featureNames, from, until,
        };
        inputOptions.AddTo(command);
        command.SetAction(parse => Run(
            inputOptions.Get(parse)!,
            parse.GetRequiredValue(output),
            parse.GetRequiredValue(featureNames),
            (parse.GetValue(from), parse.GetValue(until)),
            defaults with
            {
                Seed = parse.GetValue(seed),
                Contamination = parse.GetValue(contamination),
                Estimators = parse.GetValue(estimators),
                MaxSamples = parse.GetValue(maxSamples),
            }));
        return command;
    }

    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            if (CommandLineValues.TryParseUtcTime(result.Tokens.Single().Value, out var time))
            {
                return time;
            }

            result.AddError($"{name}: '{result.Tokens.Single().Value}' is not an ISO-8601 time such as 2025-09-15T00:00:00Z.");
            return null;
        },
    };

    private static void RequirePositive(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.GetValueOrDefault<int>() < 1)
        {
            result.AddError($"{name} must be at least 1.");
        }
    }

    private static int Run(
        TransactionInput input, FileInfo output, string[] featureNames, (DateTimeOffset? From, DateTimeOffset? Until) period, IsolationForestOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var skipped = new SkippedLines(input.ToString());
        var trainingSet = new ForestTrainingSet(featureNames);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        DateTimeOffset? last = null;
        input.Read(skipped, $"Replaying {input}", (transaction, line) =>
        {
            if (transaction.Ts >= period.Until)
            {
                return null;
            }

            if (transaction.Ts < period.From)
            {
                trainingSet.Fold(transaction);
                return null;
            }

            trainingSet.Add(transaction);
            hash.AppendData(line);
            last = last > transaction.Ts ? last : transaction.Ts;
            return null;
        });

        int rowCount = trainingSet.RowCount;
        if (rowCount == 0)
        {
            throw new BadInputException(period is (null, null)
                ? $"{input}: no valid transaction to train on."
                : $"{input}: no valid transaction from {period.From:u} until {period.Until:u} to train on.");
        }

        string version = Version(last!.Value, hash, featureNames, options);
        var forest = Terminal.Out.Status().Start(
            $"Fitting {options.Estimators} trees on {rowCount:N0} rows",
            _ => trainingSet.Fit(options, version));
        using (var sink = DetectionInputs.CreateOutput(output))
        {
            sink.Write(forest.Serialize());
        }

        var summary = new Table().Title($"Trained {Markup.Escape(output.ToString())}").HideHeaders().AddColumns("", "");
        summary.AddRow("model version", Markup.Escape(forest.Version));
        summary.AddRow("training rows", $"{rowCount:N0} ({trainingSet.Features.TrackedUsers:N0} users tracked)");
        summary.AddRow("training period", period is (null, null) ? "the whole file" : $"{period.From?.ToString("u") ?? "start"} → {period.Until?.ToString("u") ?? "end"}");
        summary.AddRow("invalid lines skipped", $"{skipped.Count:N0}");
        summary.AddRow("features", Markup.Escape(string.Join(", ", featureNames)));
        summary.AddRow("trees × max samples", $"{options.Estimators} × {options.MaxSamples}");
        summary.AddRow("contamination", options.Contamination is { } share ? share.ToString(CultureInfo.InvariantCulture) : "auto");
        summary.AddRow("score threshold (offset)", forest.Offset.ToString("0.0000", CultureInfo.InvariantCulture));
        summary.AddRow("elapsed", $"{stopwatch.Elapsed.TotalSeconds:0.0} s");
        Terminal.Out.Write(summary);
        return ExitCodes.ForSkipped(skipped.Count);
    }

    /// <summary><c>if-2025-09-13-1a2b3c4d</c>: the day of the newest transaction trained on and a hash of the data and parameters.</summary>
    private static string Version(DateTimeOffset newest, IncrementalHash data, string[] featureNames, IsolationForestOptions options)
    {
        data.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"|{string.Join(",", featureNames)}|{options.Estimators}|{options.MaxSamples}|{options.MaxFeatures}|{options.Contamination}|{options.Seed}")));
        string digest = Convert.ToHexStringLower(data.GetHashAndReset())[..8];
        return $"if-{newest.UtcDateTime:yyyy-MM-dd}-{digest}";
    }
}
