namespace Flywheel.Analytics.Contracts;

/// <summary>Progress of an index build: what is being read and how many rows so far.</summary>
public sealed record IndexBuildProgress(string Stage, long Rows);
