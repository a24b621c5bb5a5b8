using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.Core;

namespace Fraud.SystemTests.Offline;

/// <summary>
/// The offline verbs end to end, through the built detector: train, then score, then evaluate a small labelled
/// file of ordinary purchases with planted frauds, plus the ways a run can go wrong.
/// </summary>
public sealed class OfflineCommandsTests : IDisposable
{
    private const int Users = 20;
    private const int PerUser = 30;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fraud-offline-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>
    /// Twenty users each paying 20–40 EUR every few hours in Madrid; one user in four then pays 4000 EUR in New York
    /// ten minutes after a Madrid purchase. Writes the transactions and their labels; returns how many are fraud.
    /// </summary>
    private int WriteLabelledFile(string transactions, string labels)
    {
        var random = new Random(3);
        var start = new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.Zero);
        var rows = new List<(Transaction Transaction, bool IsFraud)>();
        for (int user = 0; user < Users; user++)
        {
            for (int i = 0; i < PerUser; i++)
            {
                var ts = start.AddHours((i * 5) + (user * 0.1));
                rows.Add((new Transaction($"tx_{user}_{i}", user, Math.Round(20m + (decimal)(random.NextDouble() * 20), 2), "EUR", "ES", ts,
                    $"m_{i % 5}", 5411, Channel.Pos, "d_1", 40.4168, -3.7038), false));
            }

            if (user % 4 == 0)
            {
                var ts = start.AddHours((PerUser * 5) + (user * 0.1)).AddMinutes(10);
                rows.Add((new Transaction($"tx_{user}_fraud", user, 4000m, "USD", "US", ts, "m_far", 5732, Channel.Pos, "d_9", 40.7128, -74.0060), true));
            }
        }

        var ordered = rows.OrderBy(row => row.Transaction.Ts).ToList();
        File.WriteAllLines(transactions, ordered.Select(row => TransactionJson.Serialize(row.Transaction)));
        File.WriteAllLines(labels, ordered.Select(row => LabelJson.Serialize(new Label(row.Transaction.TxId, row.IsFraud, row.IsFraud ? "planted" : null))));
        return ordered.Count(row => row.IsFraud);
    }

    [Fact]
    public async Task Train_then_score_then_evaluate_a_labelled_file()
    {
        int frauds = WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));

        var train = await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("model.bin"), "--seed", "7", "--estimators", "50");
        var score = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"), "--model", PathOf("model.bin"), "--rules", DetectorProcess.DefaultRules);
        var evaluate = await DetectorProcess.RunAsync(
            "evaluate", "--scores", PathOf("scores.jsonl"), "--labels", PathOf("labels.jsonl"), "--transactions", PathOf("tx.jsonl"), "--json");

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Matches(@"if-2025-09-07-[0-9a-f]{8}", train.Out);
        Assert.True(score.ExitCode == 0, score.Error);
        var lines = File.ReadAllLines(PathOf("scores.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal((Users * PerUser) + frauds, lines.Count);
        Assert.All(lines, line => Assert.Equal(["tx_id", "risk", "score", "alert", "reason"], line.EnumerateObject().Select(p => p.Name)));
        var planted = lines.Single(line => line.GetProperty("tx_id").GetString() == "tx_0_fraud");
        Assert.True(planted.GetProperty("alert").GetBoolean());
        Assert.StartsWith("iforest_score=", planted.GetProperty("reason").GetString());
        Assert.Contains("impossible_travel", planted.GetProperty("reason").GetString());
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        var report = JsonDocument.Parse(evaluate.Out).RootElement;
        var overall = report.GetProperty("overall");
        Assert.Equal(frauds, overall.GetProperty("frauds").GetInt32());
        Assert.True(overall.GetProperty("roc_auc").GetDouble() > 0.9);
        Assert.True(overall.GetProperty("average_precision").GetDouble() > 0.5);
        Assert.Equal(JsonValueKind.Number, overall.GetProperty("card_precision_at_k").ValueKind);
        Assert.Equal(frauds, report.GetProperty("scenarios").GetProperty("planted").GetProperty("frauds").GetInt32());
    }

    [Fact]
    public async Task Evaluate_prints_a_table_with_every_scenario()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules);

        var evaluate = await DetectorProcess.RunAsync("evaluate", "--scores", PathOf("scores.jsonl"), "--labels", PathOf("labels.jsonl"));

        Assert.Equal(0, evaluate.ExitCode);
        Assert.Contains("ROC-AUC", evaluate.Out);
        Assert.Contains("avg precision", evaluate.Out);
        Assert.Contains("planted", evaluate.Out);
        Assert.Contains("add --transactions", evaluate.Out);
    }

    [Fact]
    public async Task Invalid_lines_are_reported_skipped_and_counted()
    {
        string good = TransactionJson.Serialize(new Transaction("tx_ok", 1, 12.5m, "EUR", "FR", new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero)));
        File.WriteAllLines(PathOf("bad.jsonl"),
        [
            good,
            "",
            good.Replace("12.5", "-3", StringComparison.Ordinal).Replace("tx_ok", "tx_negative", StringComparison.Ordinal),
            "{not json",
            good.Replace("tx_ok", "tx_ok_2", StringComparison.Ordinal) + "\r",
        ]);

        var score = await DetectorProcess.RunAsync("score", "--input", PathOf("bad.jsonl"), "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules);

        Assert.Equal(1, score.ExitCode);
        Assert.Contains("bad.jsonl:3: amount: must be greater than 0", score.Error);
        Assert.Contains("bad.jsonl:4: invalid JSON", score.Error);
        Assert.DoesNotContain("bad.jsonl:2", score.Error);
        Assert.Equal(["tx_ok", "tx_ok_2"], File.ReadAllLines(PathOf("scores.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("tx_id").GetString()));
        Assert.Matches(@"invalid lines skipped\s*│\s*2", score.Out);
    }

    [Fact]
    public async Task Scores_without_a_label_are_skipped_with_exit_code_one()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"), "--rules", DetectorProcess.DefaultRules);
        File.WriteAllLines(PathOf("some-labels.jsonl"), File.ReadAllLines(PathOf("labels.jsonl")).Skip(1));

        var evaluate = await DetectorProcess.RunAsync("evaluate", "--scores", PathOf("scores.jsonl"), "--labels", PathOf("some-labels.jsonl"), "--json");

        Assert.Equal(1, evaluate.ExitCode);
        Assert.Contains("no label for tx_id", evaluate.Error);
        Assert.Equal(1, JsonDocument.Parse(evaluate.Out).RootElement.GetProperty("skipped_lines").GetInt32());
    }

    [Fact]
    public async Task Scoring_needs_a_model_or_rules()
    {
        File.WriteAllText(PathOf("tx.jsonl"), "");

        var score = await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"));

        Assert.Equal(2, score.ExitCode);
        Assert.Contains("score needs --model, --rules or both", score.Error + score.Out);
    }

    [Fact]
    public async Task An_invalid_rule_set_names_the_rule_and_the_parameter()
    {
        File.WriteAllText(PathOf("tx.jsonl"), "");
        File.WriteAllText(PathOf("rules.json"), """{"version":"v1","rules":[{"name":"burst","kind":"velocity","weight":0.5,"parameters":{"min_count":5}}]}""");

        var score = await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"), "--rules", PathOf("rules.json"));

        Assert.Equal(2, score.ExitCode);
        Assert.Contains("rule 'burst' (velocity): parameter 'window_seconds': required", score.Error);
    }

    [Fact]
    public async Task A_file_that_is_not_a_model_is_refused()
    {
        File.WriteAllText(PathOf("tx.jsonl"), "");
        File.WriteAllText(PathOf("model.bin"), "not a model");

        var score = await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("scores.jsonl"), "--model", PathOf("model.bin"));

        Assert.Equal(2, score.ExitCode);
        Assert.Contains("not a usable model file", score.Error);
    }

    [Theory]
    [InlineData("train", "--output", "model.bin")]
    [InlineData("train", "--input", "missing.jsonl", "--output", "model.bin")]
    [InlineData("evaluate", "--scores", "missing.jsonl", "--labels", "missing.jsonl")]
    [InlineData("frobnicate")]
    [InlineData("train-classifier", "--input", "missing.jsonl", "--labels", "missing.jsonl", "--output", "gb.json")]
    [InlineData("score", "--input", "missing.jsonl", "--model", "missing.bin", "--output", "scores.jsonl")]
    [InlineData("backtest", "--input", "missing.jsonl", "--labels", "missing.jsonl", "--model", "missing.bin", "--candidate-model", "missing.bin")]
    public async Task Bad_usage_exits_with_two(params string[] args)
    {
        var result = await DetectorProcess.RunAsync(args.Select(arg => arg.EndsWith(".jsonl", StringComparison.Ordinal) || arg.EndsWith(".bin", StringComparison.Ordinal) ? PathOf(arg) : arg).ToArray());

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task A_model_file_that_does_not_exist_is_named_not_a_crash()
    {
        var score = await DetectorProcess.RunAsync("score", "--input", PathOf("missing.jsonl"), "--model", PathOf("missing.bin"), "--output", PathOf("scores.jsonl"));

        Assert.Equal(2, score.ExitCode);
        Assert.Contains("missing.bin", score.Error);
        Assert.DoesNotContain("Unhandled exception", score.Error);
    }

    [Fact]
    public async Task Training_on_nothing_valid_is_refused()
    {
        File.WriteAllText(PathOf("tx.jsonl"), "{}\n");

        var train = await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("model.bin"));

        Assert.Equal(2, train.ExitCode);
        Assert.Contains("no valid transaction to train on", train.Error);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("train-classifier")]
    [InlineData("score")]
    [InlineData("evaluate")]
    [InlineData("backtest")]
    public async Task Every_verb_has_help_that_describes_its_csv_options(string verb)
    {
        var help = await DetectorProcess.RunAsync(verb, "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains(verb == "evaluate" ? "--scores" : "--input", help.Out);
        Assert.Contains("--format <csv|jsonl>", help.Out);
        Assert.Contains("--map <field=COLUMN>", help.Out);
        Assert.Contains("--default <field=VALUE>", help.Out);
    }

    [Fact]
    public async Task The_same_data_and_options_train_the_same_model()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));

        await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("a.bin"), "--estimators", "20");
        await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("b.bin"), "--estimators", "20");

        Assert.Equal(File.ReadAllBytes(PathOf("a.bin")), File.ReadAllBytes(PathOf("b.bin")));
    }

    [Fact]
    public async Task Backtest_shows_the_rules_beside_the_forest_drop_its_false_alerts_and_keep_its_recall()
    {
        int frauds = WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("model.bin"), "--seed", "7", "--estimators", "50");

        var backtest = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--model", PathOf("model.bin"),
            "--candidate-rules", DetectorProcess.DefaultRules, "--json");

        Assert.True(backtest.ExitCode == 0, backtest.Error);
        var report = JsonNode.Parse(backtest.Out)!;
        Assert.Null(report["active"]!["rules_version"]);
        Assert.StartsWith("rules-", report["candidate"]!["rules_version"]?.GetValue<string>());
        var (active, candidate) = (report["active"]!["overall"]!, report["candidate"]!["overall"]!);
        // Alone, the forest carries the whole risk and alerts ordinary purchases too; beside the rules it has only its
        // weight, and the rules (impossible travel) still alert every planted fraud.
        Assert.True(active["alerts"]!.GetValue<int>() > frauds, $"the forest alone should raise false alerts: {active}");
        Assert.Equal(frauds, candidate["alerts"]!.GetValue<int>());
        Assert.Equal(1, active["recall"]!.GetValue<double>());
        Assert.Equal(1, candidate["recall"]!.GetValue<double>());
        Assert.True(candidate["precision"]!.GetValue<double>() > active["precision"]!.GetValue<double>(), report.ToJsonString());
        AssertDeltaIsCandidateMinusActive(active, candidate, report["delta"]!["overall"]!);
        foreach (var (scenario, delta) in report["delta"]!["scenarios"]!.AsObject())
        {
            AssertDeltaIsCandidateMinusActive(report["active"]!["scenarios"]![scenario]!, report["candidate"]!["scenarios"]![scenario]!, delta!);
        }
    }

    /// <summary>Each figure of the delta is the candidate's less the active one's (all three are printed to six decimals).</summary>
    private static void AssertDeltaIsCandidateMinusActive(JsonNode active, JsonNode candidate, JsonNode delta) =>
        Assert.All(delta.AsObject(), figure => Assert.Equal(
            candidate[figure.Key]!.GetValue<double>() - active[figure.Key]!.GetValue<double>(), figure.Value!.GetValue<double>(), tolerance: 2e-6));

    [Fact]
    public async Task Backtest_gives_each_side_the_figures_of_score_then_evaluate()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        await DetectorProcess.RunAsync("train", "--input", PathOf("tx.jsonl"), "--output", PathOf("model.bin"), "--seed", "7", "--estimators", "50");
        await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("rules.jsonl"), "--rules", DetectorProcess.DefaultRules);
        await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.jsonl"), "--output", PathOf("combined.jsonl"), "--model", PathOf("model.bin"), "--rules", DetectorProcess.DefaultRules);
        var rulesOnly = JsonNode.Parse((await DetectorProcess.RunAsync(
            "evaluate", "--scores", PathOf("rules.jsonl"), "--labels", PathOf("labels.jsonl"), "--transactions", PathOf("tx.jsonl"), "--json")).Out)!;
        var combined = JsonNode.Parse((await DetectorProcess.RunAsync(
            "evaluate", "--scores", PathOf("combined.jsonl"), "--labels", PathOf("labels.jsonl"), "--transactions", PathOf("tx.jsonl"), "--json")).Out)!;

        var backtest = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-model", PathOf("model.bin"), "--json");

        Assert.True(backtest.ExitCode == 0, backtest.Error);
        var report = JsonNode.Parse(backtest.Out)!;
        foreach (var (side, alone) in new[] { ("active", rulesOnly), ("candidate", combined) })
        {
            Assert.True(JsonNode.DeepEquals(alone["overall"], report[side]!["overall"]), $"{side}: {report[side]} against {alone}");
            Assert.True(JsonNode.DeepEquals(alone["scenarios"], report[side]!["scenarios"]), side);
        }

        Assert.Null(report["active"]!["model_version"]);
        Assert.StartsWith("if-", report["candidate"]!["model_version"]!.GetValue<string>());
        Assert.Equal(
            combined["overall"]!["alerts"]!.GetValue<int>() - rulesOnly["overall"]!["alerts"]!.GetValue<int>(),
            report["delta"]!["overall"]!["alerts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Leaving_out_known_cards_drops_a_compromised_cards_transactions_from_the_day_its_fraud_is_known()
    {
        // User 1's fraud on day 0 is known, with a 7-day delay, from day 8 on: its transactions of days 8 and 9 leave the
        // test set, those of days 0 and 7 stay; user 2 has no fraud, user 3's fraud came before --leave-out-known-cards.
        var start = new DateTimeOffset(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);
        (int User, int Day, bool Fraud)[] rows = [(3, -1, true), (1, 0, true), (2, 0, false), (1, 7, false), (3, 7, false), (2, 8, false), (1, 8, false), (1, 9, true)];
        var transactions = rows.Select((row, i) => new Transaction(
            $"tx_{i}", row.User, 10m + i, "EUR", "ES", start.AddDays(row.Day), "m_1", 5411, Channel.Pos, "d_1", 40.4, -3.7)).ToList();
        File.WriteAllLines(PathOf("tx.jsonl"), transactions.Select(TransactionJson.Serialize));
        File.WriteAllLines(PathOf("labels.jsonl"), transactions.Select((transaction, i) => LabelJson.Serialize(new Label(transaction.TxId, rows[i].Fraud))));
        File.WriteAllText(PathOf("decision.json"), """{"alert_threshold":0.95}""");
        string[] leaveOut = ["--leave-out-known-cards", "2025-09-01T00:00:00Z", "--label-delay", "7d", "--json"];

        var all = await DetectorProcess.RunAsync("evaluate", "--baseline", "amount", "--transactions", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--json");
        var test = await DetectorProcess.RunAsync(["evaluate", "--baseline", "amount", "--transactions", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), .. leaveOut]);
        var backtest = await DetectorProcess.RunAsync(
            ["backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-decision", PathOf("decision.json"), .. leaveOut]);

        Assert.True(test.ExitCode == 0, test.Error);
        Assert.Equal(8, JsonNode.Parse(all.Out)!["overall"]!["transactions"]!.GetValue<int>());
        Assert.Equal(6, JsonNode.Parse(test.Out)!["overall"]!["transactions"]!.GetValue<int>());
        Assert.Equal(2, JsonNode.Parse(test.Out)!["overall"]!["frauds"]!.GetValue<int>());
        Assert.True(backtest.ExitCode == 0, backtest.Error);
        Assert.Equal(6, JsonNode.Parse(backtest.Out)!["active"]!["overall"]!["transactions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Backtest_prints_a_table_with_a_column_per_side_and_the_change()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        File.WriteAllText(PathOf("strict.json"), """{"alert_threshold":0.95}""");

        var backtest = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-decision", PathOf("strict.json"));

        Assert.True(backtest.ExitCode == 0, backtest.Error);
        Assert.Contains("Δ candidate − active", backtest.Out);
        Assert.Matches(@"alert threshold\s*│\s*0\.8\s*│\s*0\.95", backtest.Out);
        Assert.Contains("recall planted", backtest.Out);
    }

    [Fact]
    public async Task Backtest_refuses_a_bad_candidate_naming_the_file()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        File.WriteAllText(PathOf("candidate.bin"), "not a model");

        var backtest = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-model", PathOf("candidate.bin"));

        Assert.Equal(2, backtest.ExitCode);
        Assert.Contains("candidate.bin: not a usable model file", backtest.Error);
    }

    [Fact]
    public async Task Backtest_needs_a_candidate()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));

        var backtest = await DetectorProcess.RunAsync("backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules);

        Assert.Equal(2, backtest.ExitCode);
        Assert.Contains("backtest needs a candidate", backtest.Error + backtest.Out);
    }

    /// <summary>
    /// Like <see cref="WriteLabelledFile"/>, but every second user's fraud is quiet: 35 EUR in Madrid by day, within the
    /// user's usual amounts, so no rule of the shipped set fires; only its manner differs (online, a new device, a new
    /// electronics merchant). Users from <paramref name="firstUser"/>, amounts from <paramref name="seed"/>.
    /// </summary>
    private static void WriteQuietFraudFile(string transactions, string labels, int seed, int firstUser)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.Zero);
        var rows = new List<(Transaction Transaction, bool IsFraud)>();
        for (int user = firstUser; user < firstUser + Users; user++)
        {
            double offset = (user - firstUser) * 0.1;
            for (int i = 0; i < PerUser; i++)
            {
                rows.Add((new Transaction($"tx_{user}_{i}", user, Math.Round(20m + (decimal)(random.NextDouble() * 20), 2), "EUR", "ES",
                    start.AddHours((i * 5) + offset), $"m_{i % 5}", 5411, Channel.Pos, "d_1", 40.4168, -3.7038), false));
            }

            if (user % 2 == 0)
            {
                rows.Add((new Transaction($"tx_{user}_fraud", user, 35m, "EUR", "ES", start.AddHours((PerUser * 5) + offset).AddMinutes(10),
                    "m_gadgets", 5732, Channel.Ecom, "d_9", 40.4168, -3.7038), true));
            }
        }

        var ordered = rows.OrderBy(row => row.Transaction.Ts).ToList();
        File.WriteAllLines(transactions, ordered.Select(row => TransactionJson.Serialize(row.Transaction)));
        File.WriteAllLines(labels, ordered.Select(row => LabelJson.Serialize(new Label(row.Transaction.TxId, row.IsFraud, row.IsFraud ? "planted" : null))));
    }

    [Fact]
    public async Task A_classifier_learns_the_labelled_frauds_and_raises_their_risk()
    {
        // Trained on one file, scored on another (other users, other amounts), on frauds the rules miss, so only the
        // classifier can raise their risk: the noisy OR never lowers risk, and rules that already alert leave nothing to show.
        WriteQuietFraudFile(PathOf("train.jsonl"), PathOf("train-labels.jsonl"), seed: 3, firstUser: 0);
        WriteQuietFraudFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"), seed: 4, firstUser: 100);

        var train = await DetectorProcess.RunAsync(
            "train-classifier", "--input", PathOf("train.jsonl"), "--labels", PathOf("train-labels.jsonl"), "--output", PathOf("gb.json"), "--min-rows-per-leaf", "2");
        var without = await DetectorProcess.RunAsync("score", "--input", PathOf("tx.jsonl"), "--output", PathOf("without.jsonl"), "--rules", DetectorProcess.DefaultRules);
        var with = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.jsonl"), "--output", PathOf("with.jsonl"), "--rules", DetectorProcess.DefaultRules, "--classifier", PathOf("gb.json"),
            "--labels", PathOf("labels.jsonl"));
        var withoutLabels = await DetectorProcess.RunAsync(
            "score", "--input", PathOf("tx.jsonl"), "--output", PathOf("unlabelled.jsonl"), "--rules", DetectorProcess.DefaultRules, "--classifier", PathOf("gb.json"));

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.True(with.ExitCode == 0, with.Error);
        Assert.Equal(2, withoutLabels.ExitCode);   // its merchant risk needs the labels
        Assert.Contains("reads merchant risk", withoutLabels.Error);
        Assert.Equal(0, without.ExitCode);
        var classifier = Fraud.Core.Detection.Supervised.GradientBoostedClassifier.Deserialize(File.ReadAllBytes(PathOf("gb.json")));
        Assert.StartsWith("gb-", classifier.Version);
        Assert.Contains(classifier.Version, with.Out);
        var risksWithout = Risks(PathOf("without.jsonl"));
        var risksWith = Risks(PathOf("with.jsonl"));
        var planted = risksWith.Keys.Where(txId => txId.EndsWith("_fraud", StringComparison.Ordinal)).ToList();
        Assert.Equal(Users / 2, planted.Count);
        foreach (var txId in planted)
        {
            Assert.True(risksWithout[txId] == 0, $"{txId}: the rules alone give it risk {risksWithout[txId]}; the test needs frauds they miss");
            Assert.True(risksWith[txId] >= 0.8, $"{txId}: risk {risksWith[txId]} with the classifier, below the alert threshold 0.8");
        }

        // Not by raising everyone's: the ordinary purchases stay far below the frauds.
        double legitimate = risksWith.Where(pair => !planted.Contains(pair.Key)).Max(pair => pair.Value);
        Assert.True(legitimate < 0.5, $"an ordinary purchase has risk {legitimate} with the classifier");
    }

    [Fact]
    public async Task Labels_not_yet_known_at_the_training_time_are_not_learnt()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));   // the frauds happen on 2025-09-07

        var beforeTheirLabels = await DetectorProcess.RunAsync(
            "train-classifier", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--output", PathOf("gb.json"),
            "--as-of", "2025-09-10T00:00:00Z", "--label-delay", "3d");
        var afterTheirLabels = await DetectorProcess.RunAsync(
            "train-classifier", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--output", PathOf("gb.json"),
            "--as-of", "2025-09-10T00:00:00Z", "--label-delay", "2d", "--min-rows-per-leaf", "2");

        Assert.Equal(2, beforeTheirLabels.ExitCode);
        Assert.Contains("0 of them fraud; training needs both classes", string.Join(' ', beforeTheirLabels.Error.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.True(afterTheirLabels.ExitCode == 0, afterTheirLabels.Error);
        Assert.Contains("2025-09-08 00:00:00Z", afterTheirLabels.Out);
    }

    [Fact]
    public async Task Backtest_compares_a_candidate_classifier_on_the_period_from_a_time_on()
    {
        WriteLabelledFile(PathOf("tx.jsonl"), PathOf("labels.jsonl"));
        await DetectorProcess.RunAsync(
            "train-classifier", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--output", PathOf("gb.json"), "--min-rows-per-leaf", "2");
        var from = new DateTimeOffset(2025, 9, 5, 0, 0, 0, TimeSpan.Zero);
        int compared = File.ReadLines(PathOf("tx.jsonl"))
            .Count(line => TransactionJson.TryParse(System.Text.Encoding.UTF8.GetBytes(line), out var transaction, out _) && transaction.Ts >= from);

        var backtest = await DetectorProcess.RunAsync(
            "backtest", "--input", PathOf("tx.jsonl"), "--labels", PathOf("labels.jsonl"), "--rules", DetectorProcess.DefaultRules,
            "--candidate-classifier", PathOf("gb.json"), "--from", "2025-09-05T00:00:00Z", "--json");

        Assert.True(backtest.ExitCode == 0, backtest.Error);
        var report = JsonNode.Parse(backtest.Out)!;
        Assert.Null(report["active"]!["classifier_version"]);
        Assert.StartsWith("gb-", report["candidate"]!["classifier_version"]!.GetValue<string>());
        Assert.Equal(compared, report["active"]!["overall"]!["transactions"]!.GetValue<int>());
        Assert.Equal(compared, report["candidate"]!["overall"]!["transactions"]!.GetValue<int>());
    }

    private static Dictionary<string, double> Risks(string scoresFile) =>
        File.ReadLines(scoresFile)
            .Select(line => JsonNode.Parse(line)!)
            .ToDictionary(node => node["tx_id"]!.GetValue<string>(), node => node["risk"]!.GetValue<double>(), StringComparer.Ordinal);
}
