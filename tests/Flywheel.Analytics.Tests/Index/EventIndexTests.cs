using Flywheel.Analytics.Contracts;
using Flywheel.Analytics.Index;

namespace Flywheel.Analytics.Tests.Index;

public class EventIndexTests
{
    private static readonly long Base = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Build_GroupsByVisitorAndSortsByTime_KeepingArrivalOrderForTies()
    {
        var b = new EventIndexBuilder.Builder();
        b.AddEvent("u2", null, "page_view", Base + 5000, "jd", null, null, null, null, null, 0);
        b.AddEvent("u1", null, "add_to_cart", Base + 2000, "douyin", null, null, null, null, null, 0);
        b.AddEvent("u1", null, "product_view", Base + 1000, "douyin", null, null, null, null, null, 0);
        b.AddEvent("u1", null, "order_paid", Base + 2000, "douyin", null, null, null, null, null, 19900);
        b.AddEvent(null, "dev-9", "page_view", Base, null, null, null, null, null, null, 0);
        var index = b.Build("Asia/Shanghai");

        var u1 = Array.IndexOf(index.VisitorKeys, "u1");
        var rows = Enumerable.Range(index.EventStart[u1], index.EventStart[u1 + 1] - index.EventStart[u1]).ToArray();
        Assert.Equal(["product_view", "add_to_cart", "order_paid"], rows.Select(r => index.Types.Decode(index.EventType[r]) ?? "").ToArray());
        Assert.Equal([0, 0, 19900L], rows.Select(index.EventValue).ToArray());
        Assert.Contains("~dev-9", index.VisitorKeys);
        Assert.False(index.IsCustomer[Array.IndexOf(index.VisitorKeys, "~dev-9")]);
        Assert.Equal(5, index.EventCount);
    }

    [Fact]
    public void EventValue_Sparse_MatchesADenseColumnOnRandomData()
    {
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var random = new Random(seed);
            var b = new EventIndexBuilder.Builder();
            var expected = new Dictionary<(string, long), long>();
            for (var i = 0; i < 2000; i++)
            {
                var visitor = "c" + random.Next(50);
                var time = Base + i * 1000L; // distinct times, so (visitor, time) identifies a row
                var value = random.Next(10) == 0 ? random.NextInt64(1, 1_000_000) : 0;
                expected[(visitor, time)] = value;
                b.AddEvent(visitor, null, "page_view", time, null, null, null, null, null, null, value);
            }
            var index = b.Build("Asia/Shanghai");
            for (var v = 0; v < index.VisitorCount; v++)
                for (var row = index.EventStart[v]; row < index.EventStart[v + 1]; row++)
                    Assert.Equal(expected[(index.VisitorKeys[v], EventIndex.ToUnixMs(index.EventTime[row]))], index.EventValue(row));
            Assert.True(index.BytesPerEvent < 32, $"{index.BytesPerEvent} bytes per event");
        }
    }
}
