using System.CommandLine;
using Fraud.Messaging;

namespace Fraud.Producer.CommandLine;

/// <summary>The options of the verbs that publish: where the broker is, which topic, how fast.</summary>
internal sealed class BrokerArguments
{
    private readonly Option<string?> _bootstrap = new("--bootstrap")
    {
        Description = $"Broker bootstrap servers. Default: the ConnectionStrings__kafka environment variable, else {BrokerSession.DefaultBootstrap}.",
        HelpName = "host:port",
    };

    private readonly Option<string> _topic = new("--topic")
    {
        Description = "Topic for the transactions (key = user_id).",
        DefaultValueFactory = _ => Topics.Transactions.Name,
    };

    private readonly Option<double> _rate;

    public BrokerArguments(string rateDescription)
    {
        _rate = new("--rate") { Description = rateDescription, DefaultValueFactory = _ => 0 };
        _rate.Validators.Add(result =>
        {
            if (!(result.GetValueOrDefault<double>() >= 0))
            {
                result.AddError("--rate must be 0 (as fast as possible) or more.");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_bootstrap);
        command.Options.Add(_topic);
        command.Options.Add(_rate);
    }

    public string? Bootstrap(ParseResult parsed) => parsed.GetValue(_bootstrap);

    public string Topic(ParseResult parsed) => parsed.GetRequiredValue(_topic);

    public double Rate(ParseResult parsed) => parsed.GetValue(_rate);

    /// <summary>Whether the user gave <c>--rate</c> (it excludes <c>--speedup</c>).</summary>
    public bool HasRate(ParseResult parsed) => parsed.GetResult(_rate) is { Implicit: false };
}
