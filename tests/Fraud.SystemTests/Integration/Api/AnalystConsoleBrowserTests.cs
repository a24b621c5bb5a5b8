using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;

namespace Fraud.SystemTests.Integration.Api;

/// <summary>The analyst console in Debian's headless Chromium, driven the way an analyst uses it.</summary>
[Collection(FraudSystemCollection.Name)]
public sealed class AnalystConsoleBrowserTests(FraudSystemFixture system, ITestOutputHelper output)
{
    // Generous: waiting for the pipeline on a busy 2-core machine, not a speed requirement.
    private const float WaitMilliseconds = 60_000;

    [Fact]
    public async Task An_alert_appears_live_and_the_analyst_marks_it_a_false_positive()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { BaseURL = system.Api.BaseAddress!.ToString(), ViewportSize = new() { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout(WaitMilliseconds);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = WaitMilliseconds });

        var transaction = ApiTestData.NewTransaction();
        await system.ProduceAsync(transaction);
        var row = page.Locator($"#alert-rows tr[data-tx-id=\"{transaction.TxId}\"]");
        await row.WaitForAsync();
        // Streamed rows are marked fresh; a row from a page load is not.
        await Assertions.Expect(row).ToHaveClassAsync(new Regex("fresh"));

        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#detail-tx")).ToHaveTextAsync(transaction.TxId);
        await page.GetByRole(AriaRole.Button, new() { Name = "False positive" }).ClickAsync();
        await page.GetByLabel("API key").FillAsync(system.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await row.Locator(".badge[data-status=\"false_positive\"]").WaitForAsync();
        await Assertions.Expect(page.Locator("#detail-status")).ToHaveAttributeAsync("data-status", "false_positive");

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "analyst-console-false-positive.png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        output.WriteLine($"Screenshot: {screenshot}");

        Assert.Equal("false_positive", await StatusInPostgresAsync(transaction.TxId));
        var detail = await system.Api.GetJsonAsync($"/alerts/{transaction.TxId}");
        Assert.Equal("false_positive", detail.GetProperty("alert").GetProperty("status").GetString());
        Assert.Empty(scriptErrors);
    }

    private async Task<string?> StatusInPostgresAsync(string txId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM fraud_alerts WHERE tx_id = $1", connection)
        {
            Parameters = { new() { Value = txId } },
        };
        return (string?)await command.ExecuteScalarAsync();
    }
}
