using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;
using Flywheel.Customers.Profiles;
using NodaTime;

namespace Flywheel.Customers.Segments;

/// <summary>
/// What a field's compute function sees: the customers of one evaluation (all of them, or the few an ingest touched),
/// by position <c>0 .. Count-1</c>, and the clock. A column must hold exactly <see cref="Count"/> values, in position
/// order. Compute functions of different fields of one evaluation may run at the same time on different threads (never
/// one field twice at once); <see cref="Shared{T}"/> caches work between fields of that evaluation and is thread-safe.
/// </summary>
internal sealed class FieldContext
{
    private readonly int[]? _rows;
    private readonly int[] _visitors;
    private readonly Dictionary<string, object> _shared = new(StringComparer.Ordinal);
    private readonly int _fixedFrom, _fixedTo, _fixedOffset;

    internal FieldContext(SegmentData data, int[]? rows, DateTimeOffset now)
    {
        Data = data;
        _rows = rows;
        Now = now;
        Zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(data.Index.TimeZone) ?? DateTimeZone.Utc;
        IndexNow = EventIndex.ToIndexTime(now.ToUnixTimeMilliseconds());
        Today = DateOnly.FromDayNumber(LocalDayOf(Instant.FromDateTimeOffset(now)));
        if (rows is null) _visitors = data.VisitorOfRow;
        else
        {
            _visitors = new int[rows.Length];
            for (var i = 0; i < rows.Length; i++) _visitors[i] = data.VisitorOf(rows[i]);
        }
        // The zone interval around now (for Asia/Shanghai: everything since 1991) converts times to local days with one
        // addition; times outside it ask the zone.
        var interval = Zone.GetZoneInterval(Instant.FromDateTimeOffset(now));
        _fixedFrom = interval.HasStart ? Clamp(interval.Start.ToUnixTimeSeconds() - EventIndex.Epoch) : int.MinValue;
        _fixedTo = interval.HasEnd ? Clamp(interval.End.ToUnixTimeSeconds() - EventIndex.Epoch) : int.MaxValue;
        _fixedOffset = interval.WallOffset.Seconds;
    }

    internal SegmentData Data { get; }

    /// <summary>How many customers this evaluation covers.</summary>
    public int Count => _rows?.Length ?? Data.Profiles.Count;

    /// <summary>Whether this evaluation covers every customer (position = profile row) or a few.</summary>
    public bool IsAllCustomers => _rows is null;

    public ProfileTable Profiles => Data.Profiles;

    public EventIndex Index => Data.Index;

    /// <summary>The evaluation's clock reading (from the caller's TimeProvider).</summary>
    public DateTimeOffset Now { get; }

    /// <summary><see cref="Now"/> as an index time (seconds since <see cref="EventIndex.Epoch"/>).</summary>
    public int IndexNow { get; }

    /// <summary>Today in the store's time zone.</summary>
    public DateOnly Today { get; }

    /// <summary>The store's time zone (the index's).</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The profile row of position <paramref name="i"/>.</summary>
    public int ProfileRow(int i) => _rows is null ? i : _rows[i];

    public string CustomerId(int i) => Data.Profiles.CustomerIds[ProfileRow(i)];

    /// <summary>The index visitor of position <paramref name="i"/>, or -1 when the index has none.</summary>
    public int Visitor(int i) => _visitors[i];

    /// <summary>The first index time inside a window ending now; int.MinValue for no window (all time).</summary>
    public int IndexSince(TimeWindow? window) =>
        window is { } w ? Clamp(w.Since(Now, Zone).ToUnixTimeSeconds() - EventIndex.Epoch) : int.MinValue;

    /// <summary>The local date of an index time, as <see cref="DateOnly.DayNumber"/>. Cheap: one addition inside the zone interval around now.</summary>
    public int LocalDay(int indexTime)
    {
        long utc = indexTime + EventIndex.Epoch;
        var offset = indexTime >= _fixedFrom && indexTime < _fixedTo ? _fixedOffset : Zone.GetUtcOffset(Instant.FromUnixTimeSeconds(utc)).Seconds;
        return checked((int)(Math.DivRem(utc + offset, 86_400, out var rem) - (rem < 0 ? 1 : 0) + UnixEpochDay));
    }

    /// <summary>A value computed once per evaluation and shared by the fields that need it (keyed by <paramref name="key"/>).</summary>
    public T Shared<T>(string key, Func<T> create) where T : class
    {
        lock (_shared)
        {
            if (_shared.TryGetValue(key, out var value)) return (T)value;
            var created = create();
            _shared[key] = created;
            return created;
        }
    }

    private int LocalDayOf(Instant instant)
    {
        var local = instant.InZone(Zone).Date;
        return new DateOnly(local.Year, local.Month, local.Day).DayNumber;
    }

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    private static int Clamp(long seconds) => (int)Math.Clamp(seconds, int.MinValue, int.MaxValue);
}
