using Flywheel.Tests;

namespace Flywheel.Cli.Tests.Commands;

/// <summary>What the failure log keeps out: connection strings and their passwords, from the command line or $FLYWHEEL_DB.</summary>
public sealed class CrashLogTests
{
    private const string Connection = "Host=db.internal;Username=flywheel;Password=Tr0ub4dor;Database=shop";

    [Fact]
    public void Text_PasswordFromTheEnvironment_IsMaskedInTheExceptionToo()
    {
        var error = new InvalidOperationException($"could not use {Connection}; retried with password Tr0ub4dor");
        var text = CrashLog.Text(error, ["report", "kpi"], new TestClock(), name => name == "FLYWHEEL_DB" ? Connection : null);

        Assert.DoesNotContain("Tr0ub4dor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("db.internal", text, StringComparison.Ordinal); // the whole connection string, not just its password
        Assert.Contains("could not use ***; retried with password ***", text, StringComparison.Ordinal);
        Assert.StartsWith("flywheel report kpi\n2026-11-01T04:00:00.0000000+00:00\nSystem.InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--db", Connection)]
    [InlineData("--db=" + Connection, null)]
    public void Text_ConnectionStringOnTheCommandLine_IsMaskedInArgumentsAndException(string option, string? value)
    {
        string[] args = value is null ? ["report", "kpi", option] : ["report", "kpi", option, value];
        var text = CrashLog.Text(new InvalidOperationException("login as flywheel with Tr0ub4dor failed"), args, new TestClock(), _ => null);

        Assert.DoesNotContain("Tr0ub4dor", text, StringComparison.Ordinal);
        Assert.Contains("login as flywheel with *** failed", text, StringComparison.Ordinal);
    }
}
