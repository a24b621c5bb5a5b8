using System.Runtime.CompilerServices;

// Unit tests build Isolation Forest trees by hand through internal members (Detection/Forest).
[assembly: InternalsVisibleTo("Fraud.Tests")]
