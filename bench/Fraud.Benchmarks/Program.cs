using System.Globalization;
using BenchmarkDotNet.Running;
using Fraud.Benchmarks;

if (args is ["merchant-memory", .. var rest])
{
    MerchantRiskMemory.Run(rest is [var days] ? int.Parse(days, CultureInfo.InvariantCulture) : 28);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
