using System.Runtime.CompilerServices;

// Unit tests build Isolation Forest trees by hand through internal members (Detection/Forest).
[assembly: InternalsVisibleTo("Fraud.UnitTests")]

// The trainer copies ML.NET's trees into a classifier through its internal constructor; scoring stays here, free of ML.NET.
[assembly: InternalsVisibleTo("Fraud.Training")]
