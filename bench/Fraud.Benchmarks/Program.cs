using System.Globalization;
using BenchmarkDotNet.Running;
using Fraud.Benchmarks;
using Fraud.Simulation;

if (args is ["merchant-memory", .. var rest])
{
    int[] numbers = rest.Select(number => int.Parse(number, CultureInfo.InvariantCulture)).ToArray();
    MerchantRiskMemory.Run(numbers is [var days, ..] ? days : 28, numbers is [_, var users] ? users : SimulationOptions.DefaultUsers);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
