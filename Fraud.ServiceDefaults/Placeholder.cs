namespace Fraud.ServiceDefaults; internal static class Placeholder {}
