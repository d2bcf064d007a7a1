using BenchmarkDotNet.Running;
using Flywheel.Benchmarks;

// `import-vs-sqlite3` is a whole-file comparison against the sqlite3 shell (an external process, which
// BenchmarkDotNet cannot host); everything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "import-vs-sqlite3")
    return await ImportVsSqliteShell.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "funnel-vs-sql")
    return await FunnelVersusSql.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "append")
    return await AppendFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "rfm")
    return await RfmFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "coupons")
    return await CouponFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "pricing")
    return await PricingFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "analytics")
    return await AnalyticsFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "clv-fit")
    return ClvFitFigures.Run(args[1..]);
if (args.Length > 0 && args[0] == "lifecycle")
    return await LifecycleFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "lifecycle-demo")
    return await LifecycleFigures.DemoAsync(args[1..]);
if (args.Length > 0 && args[0] == "triggers")
    return await Flywheel.Benchmarks.TriggerFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "broadcast")
    return await BroadcastFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "segments")
    return await SegmentFigures.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "segments-latency")
    return await SegmentFigures.LatencyAsync(args[1..]);
if (args.Length > 0 && args[0] == "experiment-metrics")
    return await ExperimentMetricsFigures.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(ImportVsSqliteShell).Assembly).Run(args);
return 0;
