namespace Fraud.Core; internal static class Placeholder {}
