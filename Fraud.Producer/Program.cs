using Fraud.Producer;
using Fraud.Producer.CommandLine;

// A verb (simulate, generate, replay) runs once and exits; anything else is the long-running service.
return ProducerCommandLine.IsCommand(args)
    ? await ProducerCommandLine.RunAsync(args)
    : await ServiceMode.RunAsync(args);
