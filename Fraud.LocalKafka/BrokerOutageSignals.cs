using System.Runtime.InteropServices;

namespace Fraud.LocalKafka;

/// <summary>
/// The signals that simulate a broker outage (for fault tests, e.g. <c>kill -USR1 PID</c>): SIGUSR1 drops every
/// client connection and refuses new ones; SIGUSR2 accepts them again. A signal keeps the control channel off the
/// network: nothing but the machine's own processes (with the right to signal this one) can use it.
/// </summary>
internal static class BrokerOutageSignals
{
    // .NET names only the portable signals; others are passed by their raw number (Linux numbering, so the host
    // registers them on Linux only).
    public static readonly PosixSignal Cut = (PosixSignal)10;     // SIGUSR1
    public static readonly PosixSignal Restore = (PosixSignal)12; // SIGUSR2
}
