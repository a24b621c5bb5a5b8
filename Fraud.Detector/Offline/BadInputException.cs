namespace Fraud.Detector.Offline;

/// <summary>Input the command cannot work with at all; the message says which and why, and the exit code is 2.</summary>
internal sealed class BadInputException(string message) : Exception(message);
