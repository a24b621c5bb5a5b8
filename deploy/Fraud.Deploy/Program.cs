using System.CommandLine;
using Fraud.Deploy;

var root = new RootCommand("Deployment tooling for Fraud.") { K8sCommand.Create() };
return root.Parse(args).Invoke();
