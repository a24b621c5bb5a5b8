using Spectre.Console;

namespace Fraud.Producer.CommandLine;

/// <summary>The end-of-run summary every verb prints: a titled table of what, how many, and a note.</summary>
internal static class SummaryTable
{
    public static Table Create(string title) => new Table()
        .Border(TableBorder.None)
        .HideHeaders()
        .Title($"[bold]{Markup.Escape(title)}[/]")
        .AddColumn("what")
        .AddColumn(new TableColumn("count").RightAligned())
        .AddColumn("note");
}
